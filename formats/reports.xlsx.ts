import type { Receivables, Settlements } from '../core/domain/finance.js';
import { formatDateRu } from '../core/domain/periods.js';
import { aggregateSales, packingRows, type PackedProduct, type PackingLayout, type ShippedLine } from '../core/domain/reports.js';
import type { Box } from '../core/domain/packing.js';
import { buildWorkbook, type CellValue, type XlsxColumn } from './xlsx.js';

/** The report generators: plain data in, .xlsx bytes out (the bench feeds them directly). */

export interface ReportHeader {
  customerName: string;
  /** Moscow date the report was made. */
  today: string;
}

const customerLine = (h: ReportHeader) => `Покупатель: ${h.customerName}`;
const periodLine = (from: string, to: string) => `Период: ${formatDateRu(from)} — ${formatDateRu(to)}`;

export function buildReceivablesXlsx(h: ReportHeader & { paymentTermDays: number }, r: Receivables): Promise<Buffer> {
  const columns: XlsxColumn[] = [
    { header: 'Реализация', width: 20 },
    { header: 'Дата', width: 12, kind: 'date' },
    { header: 'Срок оплаты', width: 12, kind: 'date' },
    { header: 'Сумма, руб.', width: 16, kind: 'money' },
    { header: 'Оплачено, руб.', width: 16, kind: 'money' },
    { header: 'Долг, руб.', width: 16, kind: 'money' },
    { header: 'Просрочено, руб.', width: 16, kind: 'money' },
    { header: 'Дней просрочки', width: 12, kind: 'qty' },
    { header: 'Состояние', width: 14 },
  ];
  return buildWorkbook([
    {
      name: 'ДЗ',
      title: `Дебиторская задолженность на ${formatDateRu(h.today)}`,
      subtitle: [customerLine(h), `Срок оплаты реализации: ${h.paymentTermDays} дн.`],
      columns,
      rows: r.items.map((i) => [
        i.number,
        i.date,
        i.dueDate,
        i.amount,
        i.paid,
        i.remaining,
        i.overdueDays > 0 ? i.remaining : 0,
        i.overdueDays,
        i.overdueDays > 0 ? 'просрочено' : 'в срок',
      ]),
      footer: [
        ['Итого задолженность', null, null, null, null, r.total, r.overdue, null, null],
        ['В том числе в срок', null, null, null, null, r.notDue, null, null, null],
        ['Аванс (переплата)', null, null, null, null, r.advance, null, null, null],
      ],
    },
  ]);
}

export function buildSettlementsXlsx(h: ReportHeader & { supplierName: string }, s: Settlements): Promise<Buffer> {
  const columns: XlsxColumn[] = [
    { header: 'Дата', width: 12, kind: 'date' },
    { header: 'Документ', width: 36 },
    { header: 'Дебет (отгружено), руб.', width: 20, kind: 'money' },
    { header: 'Кредит (оплачено), руб.', width: 20, kind: 'money' },
  ];
  const balance = (label: string, value: number): CellValue[] => [null, label, value > 0 ? value : 0, value < 0 ? -value : 0];
  return buildWorkbook([
    {
      name: 'Акт сверки',
      title: 'Акт сверки взаимных расчётов',
      subtitle: [`Между ${h.supplierName} и ${h.customerName}`, periodLine(s.from, s.to), 'Сальдо в дебете: долг покупателя; в кредите: аванс покупателя.'],
      columns,
      rows: [
        balance(`Сальдо начальное на ${formatDateRu(s.from)}`, s.opening),
        ...s.entries.map((e): CellValue[] => [e.date, e.document, e.debit || null, e.credit || null]),
      ],
      footer: [[null, 'Обороты за период', s.debitTurnover, s.creditTurnover], balance(`Сальдо конечное на ${formatDateRu(s.to)}`, s.closing)],
    },
  ]);
}

export function buildSalesXlsx(h: ReportHeader & { from: string; to: string }, lines: Iterable<ShippedLine>): Promise<Buffer> {
  const rows = aggregateSales(lines);
  const columns: XlsxColumn[] = [
    { header: 'Артикул', width: 16 },
    { header: 'Номенклатура', width: 40 },
    { header: 'Характеристика', width: 24 },
    { header: 'SKU', width: 20 },
    { header: 'Количество, шт.', width: 14, kind: 'qty' },
    { header: 'Сумма, руб.', width: 16, kind: 'money' },
  ];
  return buildWorkbook([
    {
      name: 'Продажи',
      title: 'Отчёт по продажам',
      subtitle: [customerLine(h), periodLine(h.from, h.to)],
      columns,
      rows: rows.map((r) => [r.article, r.name, r.characteristic, r.sku, r.quantity, r.amount]),
      footer: [['Итого', null, null, null, rows.reduce((s, r) => s + r.quantity, 0), rows.reduce((s, r) => s + r.amount, 0)]],
    },
  ]);
}

export function buildRealizationsXlsx(h: ReportHeader & { from: string; to: string }, lines: readonly ShippedLine[]): Promise<Buffer> {
  const columns: XlsxColumn[] = [
    { header: 'Реализация', width: 20 },
    { header: 'Дата', width: 12, kind: 'date' },
    { header: 'Артикул', width: 16 },
    { header: 'Номенклатура', width: 36 },
    { header: 'Характеристика', width: 22 },
    { header: 'Количество, шт.', width: 14, kind: 'qty' },
    { header: 'Цена, руб.', width: 14, kind: 'money' },
    { header: 'Сумма, руб.', width: 16, kind: 'money' },
  ];
  const realizations = new Set(lines.map((l) => l.realizationNumber)).size;
  return buildWorkbook([
    {
      name: 'Реализации',
      title: 'Отчёт по реализациям',
      subtitle: [customerLine(h), periodLine(h.from, h.to), `Реализаций: ${realizations}`],
      columns,
      rows: lines.map((l) => [l.realizationNumber, l.date, l.article, l.name, l.characteristic, l.quantity, l.priceKopecks, l.quantity * l.priceKopecks]),
      footer: [['Итого', null, null, null, null, lines.reduce((s, l) => s + l.quantity, 0), null, lines.reduce((s, l) => s + l.quantity * l.priceKopecks, 0)]],
    },
  ]);
}

export const PACKING_LAYOUT_TITLES: Record<PackingLayout, string> = {
  'by-article': 'по артикулам',
  'box-nomenclature': 'короб — номенклатура',
  'box-characteristic': 'короб — характеристика',
};

export interface PackedRealization {
  number: string;
  date: string;
  boxes: Box[];
  products: ReadonlyMap<string, PackedProduct>;
}

/** One sheet per realization in the chosen layout. */
export function buildPackingListsXlsx(h: ReportHeader, layout: PackingLayout, realizations: readonly PackedRealization[]): Promise<Buffer> {
  return buildWorkbook(
    realizations.map((r) => {
      const rows = packingRows(layout, r.boxes, r.products);
      const columns: XlsxColumn[] =
        layout === 'by-article'
          ? [
              { header: 'Артикул', width: 16 },
              { header: 'Номенклатура', width: 40 },
              { header: 'Характеристика', width: 24 },
              { header: 'Количество, шт.', width: 14, kind: 'qty' },
              { header: 'Коробы', width: 24 },
            ]
          : [
              { header: 'Короб №', width: 10, kind: 'qty' },
              { header: 'Артикул', width: 16 },
              { header: 'Номенклатура', width: 40 },
              ...(layout === 'box-characteristic' ? [{ header: 'Характеристика', width: 24 } satisfies XlsxColumn] : []),
              { header: 'Количество, шт.', width: 14, kind: 'qty' },
            ];
      const body = rows.map((row): CellValue[] =>
        layout === 'by-article'
          ? [row.article, row.name, row.characteristic, row.quantity, row.boxes.join(', ')]
          : [row.box, row.article, row.name, ...(layout === 'box-characteristic' ? [row.characteristic] : []), row.quantity],
      );
      const pieces = rows.reduce((s, row) => s + row.quantity, 0);
      const total: CellValue[] =
        layout === 'by-article'
          ? ['Итого', null, null, pieces, `коробов: ${r.boxes.length}`]
          : ['Итого', null, null, ...(layout === 'box-characteristic' ? [null] : []), pieces];
      return {
        // Sheet names: at most 31 characters, none of : \ / ? * [ ]
        name: r.number.replace(/[:\\/?*[\]]/g, '-').slice(0, 31),
        title: `Упаковочный лист к реализации ${r.number} (${PACKING_LAYOUT_TITLES[layout]})`,
        subtitle: [customerLine(h), `Дата отгрузки: ${formatDateRu(r.date)}`, `Коробов: ${r.boxes.length}`],
        columns,
        rows: body,
        footer: [total],
      };
    }),
  );
}
