/** Every document a customer can request; the value is the API's `type`. */
export const DOCUMENT_TYPES = ['inventory', 'payment-invoice', 'receivables', 'settlements', 'sales', 'realizations', 'packing-lists'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Each type's title, as the API, the notifications and the cabinet's files list name it. */
export const DOCUMENT_TITLES: Record<DocumentType, string> = {
  inventory: 'Опись и сертификаты',
  'payment-invoice': 'Счёт на оплату',
  receivables: 'Отчёт по дебиторской задолженности',
  settlements: 'Акт сверки взаиморасчётов',
  sales: 'Отчёт по продажам',
  realizations: 'Отчёт по реализациям',
  'packing-lists': 'Упаковочные листы',
};
