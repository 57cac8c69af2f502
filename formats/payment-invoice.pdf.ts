import { amountInWords } from '../core/domain/amount-in-words.js';
import { VAT_RATE_PERCENT, vatIncluded } from '../core/domain/money.js';
import { createPdf, drawTable, money, BOLD, REGULAR, type PdfColumn } from './pdf.js';

/** The supplier's requisites printed on the payment invoice (from configuration). */
export interface SupplierDetails {
  name: string;
  inn: string;
  kpp: string;
  address: string;
  phone: string;
  director: string;
  accountant: string;
  bank: { name: string; bik: string; account: string; corrAccount: string };
}

export interface PaymentInvoiceData {
  number: string;
  /** ISO timestamp of issue. */
  issuedAt: string;
  supplier: SupplierDetails;
  customer: { name: string; inn: string | null };
  /** What the payment is for: realization numbers, or an advance. */
  basis: string;
  lines: { name: string; quantity: number; unit: string; priceKopecks: number }[];
}

const DATE_RU = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: 'numeric', month: 'long', year: 'numeric' });

export function paymentInvoiceTotal(data: Pick<PaymentInvoiceData, 'lines'>): number {
  return data.lines.reduce((s, l) => s + l.quantity * l.priceKopecks, 0);
}

/**
 * «Счёт на оплату» in the usual Russian layout: the bank details block, the title with number and
 * date, supplier and buyer, the lines, totals with VAT included, the amount in words, signatures.
 */
export async function buildPaymentInvoicePdf(data: PaymentInvoiceData): Promise<Buffer> {
  const title = `Счёт на оплату № ${data.number} от ${DATE_RU.format(new Date(data.issuedAt))}`;
  const { doc, done } = createPdf({ title });
  const { supplier } = data;
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  // Bank details block: the payer's bank copies these into the payment order.
  doc.fontSize(8).lineWidth(0.5);
  const x1 = left + width * 0.55;
  const x2 = left + width * 0.65;
  let y = doc.y;
  const cell = (text: string, x: number, yy: number, w: number, h: number) => {
    doc.rect(x, yy, w, h).stroke();
    doc.text(text, x + 3, yy + 3, { width: w - 6 });
  };
  cell(supplier.bank.name, left, y, width * 0.55, 28);
  cell('БИК', x1, y, width * 0.1, 14);
  cell(supplier.bank.bik, x2, y, width * 0.35, 14);
  cell('Сч. №', x1, y + 14, width * 0.1, 14);
  cell(supplier.bank.corrAccount, x2, y + 14, width * 0.35, 14);
  doc.text('Банк получателя', left + 3, y + 19, { width: width * 0.5 });
  y += 28;
  cell(`ИНН ${supplier.inn}`, left, y, width * 0.275, 14);
  cell(`КПП ${supplier.kpp}`, left + width * 0.275, y, width * 0.275, 14);
  cell('Сч. №', x1, y, width * 0.1, 42);
  cell(supplier.bank.account, x2, y, width * 0.35, 42);
  cell(`${supplier.name}\n\nПолучатель`, left, y + 14, width * 0.55, 28);
  doc.x = left;
  doc.y = y + 56;

  doc.font(BOLD).fontSize(13).text(title, left, doc.y);
  doc
    .moveTo(left, doc.y + 4)
    .lineTo(left + width, doc.y + 4)
    .lineWidth(1.5)
    .stroke()
    .lineWidth(0.5);
  doc.moveDown(0.8).font(REGULAR).fontSize(9);
  doc.text(`Поставщик (Исполнитель): ${supplier.name}, ИНН ${supplier.inn}, КПП ${supplier.kpp}, ${supplier.address}, тел. ${supplier.phone}`);
  doc.moveDown(0.4);
  doc.text(`Покупатель (Заказчик): ${data.customer.name}${data.customer.inn ? `, ИНН ${data.customer.inn}` : ''}`);
  doc.moveDown(0.4);
  doc.text(`Основание: ${data.basis}`);
  doc.moveDown(0.6);

  const columns: PdfColumn[] = [
    { header: '№', width: 24, align: 'right' },
    { header: 'Товары (работы, услуги)', width: 250 },
    { header: 'Кол-во', width: 50, align: 'right' },
    { header: 'Ед.', width: 30, align: 'center' },
    { header: 'Цена, руб.', width: 84, align: 'right' },
    { header: 'Сумма, руб.', width: 85, align: 'right' },
  ];
  drawTable(
    doc,
    columns,
    data.lines.map((l, i) => [String(i + 1), l.name, String(l.quantity), l.unit, money(l.priceKopecks), money(l.quantity * l.priceKopecks)]),
    9,
  );

  const total = paymentInvoiceTotal(data);
  const totalsX = left + width - 260;
  doc.moveDown(0.5).font(BOLD).fontSize(9);
  for (const [label, value] of [
    ['Итого:', money(total)],
    [`В том числе НДС (${VAT_RATE_PERCENT}%):`, money(vatIncluded(total))],
    ['Всего к оплате:', money(total)],
  ] as const) {
    const yy = doc.y;
    doc.text(label, totalsX, yy, { width: 170, align: 'right' });
    doc.text(value, totalsX + 175, yy, { width: 85, align: 'right' });
  }
  doc.x = left;
  doc.moveDown(0.6).font(REGULAR);
  doc.text(`Всего наименований ${data.lines.length}, на сумму ${money(total)} руб.`, left);
  doc.font(BOLD).text(amountInWords(total), left);
  doc.font(REGULAR).moveDown(0.4);
  doc.text('Оплата данного счёта означает согласие с условиями поставки товара. Счёт действителен к оплате в течение 5 банковских дней.', left);
  doc
    .moveTo(left, doc.y + 6)
    .lineTo(left + width, doc.y + 6)
    .lineWidth(1.5)
    .stroke()
    .lineWidth(0.5);
  doc.moveDown(2);
  const sy = doc.y;
  doc.font(BOLD).text('Руководитель', left, sy);
  doc.font(REGULAR).text(`______________ / ${supplier.director} /`, left + 75, sy);
  doc.font(BOLD).text('Бухгалтер', left + width / 2, sy);
  doc.font(REGULAR).text(`______________ / ${supplier.accountant} /`, left + width / 2 + 60, sy);
  doc.end();
  return done;
}
