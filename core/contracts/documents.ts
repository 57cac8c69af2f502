import type { PackingLayout } from '../domain/reports.js';

/** Every document a customer can request; the value is the API's `type`. */
export const DOCUMENT_TYPES = ['inventory', 'payment-invoice', 'receivables', 'settlements', 'sales', 'realizations', 'packing-lists'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentStatus = 'pending' | 'ready' | 'failed';

export const DOCUMENT_TITLES: Record<DocumentType, string> = {
  inventory: 'Опись и сертификаты',
  'payment-invoice': 'Счёт на оплату',
  receivables: 'Отчёт по дебиторской задолженности',
  settlements: 'Акт сверки взаиморасчётов',
  sales: 'Отчёт по продажам',
  realizations: 'Отчёт по реализациям',
  'packing-lists': 'Упаковочные листы',
};

/** What a document is made from: JSON stored with the document row and carried by its workflow. */
export type DocumentParams =
  | { type: 'inventory'; invoiceId: string }
  | { type: 'payment-invoice'; realizationIds: string[] }
  | { type: 'payment-invoice'; amountKopecks: number }
  | { type: 'receivables'; today: string }
  | { type: 'settlements' | 'sales' | 'realizations'; from: string; to: string }
  | { type: 'packing-lists'; realizationIds: string[]; layout: PackingLayout };

export interface DocumentWorkflowInput {
  documentId: string;
  customerId: string;
  type: DocumentType;
}

export interface PaymentOrderWorkflowInput {
  paymentOrderId: string;
  customerId: string;
}
