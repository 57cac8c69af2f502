import { buildInventoryPdf } from '../activities/documents/inventory.pdf.ts';
import { buildPaymentInvoicePdf } from '../activities/documents/payment-invoice.pdf.ts';
import { buildSalesXlsx } from '../activities/documents/reports.xlsx.ts';
import { pdfText, readWorkbook, sheetRows } from '../test/support/documents.ts';
import { loadConfig } from '../src/runtime/config.ts';
import { writeFileSync } from 'node:fs';
const pdf = await buildInventoryPdf({ invoiceNumber: 'СЧ-2026-000001', statusLabel: 'Отгружен', customerName: 'ООО «Ромашка»', supplierName: 'ООО Поставщик', generatedAt: new Date().toISOString(),
  lines: Array.from({ length: 30 }, (_, i) => ({ article: `ЛГ-${i}`, name: 'Колготки женские', characteristic: 'размер 3, чёрный', quantity: 5, unit: 'шт', certificateNumber: 'ЕАЭС RU Д-RU.ТЕСТ.00001/24', certificateValidUntil: '2029-12-31', boxes: [1, 2, 3, 5] })),
  boxes: [{ number: 1, lines: [{ article: 'ЛГ-1', name: 'Колготки', characteristic: 'чёрный', quantity: 5 }] }] });
writeFileSync('/tmp/inv.pdf', pdf);
console.log(pdf.length, (await pdfText(pdf)).slice(0, 600));
const pi = await buildPaymentInvoicePdf({ number: 'СО-2026-000001', issuedAt: new Date().toISOString(), supplier: loadConfig({}).supplier, customer: { name: 'ООО «Ромашка»', inn: '7700000000' }, basis: 'Реализация РЛ-2026-000001', lines: [{ name: 'Колготки', quantity: 3, unit: 'шт', priceKopecks: 14990 }] });
writeFileSync('/tmp/pi.pdf', pi);
console.log((await pdfText(pi)));
const x = await buildSalesXlsx({ customerName: 'ООО Р', today: '2026-11-27', from: '2026-06-01', to: '2026-11-27' }, [{ realizationNumber: 'РЛ-1', date: '2026-07-01', sku: 'A-1', article: 'A', name: 'Колготки', characteristic: 'чёрный', quantity: 3, priceKopecks: 14990 }]);
const wb = await readWorkbook(x);
console.log(sheetRows(wb.worksheets[0]!), wb.worksheets[0]!.getRow(5).getCell(6).numFmt);
