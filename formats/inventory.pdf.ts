import { createPdf, drawTable, BOLD, REGULAR, type PdfColumn } from './pdf.js';

/** Everything the inventory & certificates PDF shows; plain data, so the bench can feed it directly. */
export interface InventoryData {
  invoiceNumber: string;
  statusLabel: string;
  customerName: string;
  supplierName: string;
  generatedAt: string;
  lines: {
    article: string;
    name: string;
    characteristic: string | null;
    quantity: number;
    unit: string;
    certificateNumber: string | null;
    certificateValidUntil: string | null;
    boxes: number[];
  }[];
  /** null until the warehouse has packed the invoice. */
  boxes: { number: number; lines: { article: string; name: string; characteristic: string | null; quantity: number }[] }[] | null;
}

const dateRu = (iso: string | null): string => (iso ? iso.slice(0, 10).split('-').reverse().join('.') : '—');

/** "1, 2, 3, 5" → "1–3, 5": long box lists stay readable. */
export function boxRanges(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** «Опись и сертификаты»: the invoice's lines with certificates, then the contents of each box. */
export async function buildInventoryPdf(data: InventoryData): Promise<Buffer> {
  const title = `Опись и сертификаты к счёту ${data.invoiceNumber}`;
  const { doc, done } = createPdf({ title });
  doc.font(BOLD).fontSize(14).text(title, { align: 'center' });
  doc.moveDown(0.5).font(REGULAR).fontSize(9);
  doc.text(`Поставщик: ${data.supplierName}`);
  doc.text(`Покупатель: ${data.customerName}`);
  doc.text(`Статус счёта: ${data.statusLabel}`);
  doc.text(`Дата формирования: ${dateRu(data.generatedAt)}`);
  doc.moveDown(0.5);

  const columns: PdfColumn[] = [
    { header: '№', width: 24, align: 'right' },
    { header: 'Артикул', width: 60 },
    { header: 'Наименование', width: 118 },
    { header: 'Характеристика', width: 72 },
    { header: 'Кол-во', width: 40, align: 'right' },
    { header: 'Коробы', width: 45 },
    { header: 'Сертификат', width: 104 },
    { header: 'Действует до', width: 60, align: 'center' },
  ];
  drawTable(
    doc,
    columns,
    data.lines.map((l, i) => [
      String(i + 1),
      l.article,
      l.name,
      l.characteristic ?? '',
      `${l.quantity} ${l.unit}`,
      l.boxes.length ? boxRanges(l.boxes) : '—',
      l.certificateNumber ?? 'нет сертификата',
      l.certificateNumber ? dateRu(l.certificateValidUntil) : '—',
    ]),
  );
  const pieces = data.lines.reduce((s, l) => s + l.quantity, 0);
  doc.moveDown(0.5).font(BOLD).fontSize(9);
  doc.text(`Всего позиций: ${data.lines.length}, штук: ${pieces}${data.boxes ? `, коробов: ${data.boxes.length}` : ''}`);

  doc.moveDown(1).font(BOLD).fontSize(11).text('Опись по коробам');
  doc.font(REGULAR).fontSize(9);
  if (!data.boxes) {
    doc.text('Счёт ещё не собран на складе: состав коробов появится после сборки.');
  } else {
    doc.moveDown(0.3);
    const boxColumns: PdfColumn[] = [
      { header: 'Короб №', width: 50, align: 'right' },
      { header: 'Артикул', width: 80 },
      { header: 'Наименование', width: 200 },
      { header: 'Характеристика', width: 120 },
      { header: 'Кол-во', width: 73, align: 'right' },
    ];
    const rows = data.boxes.flatMap((b) => b.lines.map((l) => [String(b.number), l.article, l.name, l.characteristic ?? '', String(l.quantity)]));
    drawTable(doc, boxColumns, rows);
  }
  doc.end();
  return done;
}
