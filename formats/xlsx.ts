import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * Workbooks are written with exceljs' streaming writer: rows are committed as they are added, so
 * a 50,000-row report holds only the compressed output in memory, not a DOM of every cell.
 * Money cells are numbers in roubles with a two-decimal format (never strings), quantities
 * integers, dates real dates; headers are bold on grey, with widths, frozen and filterable.
 */

export const MONEY_FORMAT = '#,##0.00';
export const QTY_FORMAT = '#,##0';
export const DATE_FORMAT = 'dd.mm.yyyy';

export type CellKind = 'text' | 'money' | 'qty' | 'date';

export interface XlsxColumn {
  header: string;
  width: number;
  kind?: CellKind;
}

/** A cell value: text, an integer (qty), kopecks (money) or an ISO date (date); null is empty. */
export type CellValue = string | number | null;

export interface SheetSpec {
  name: string;
  title: string;
  /** Lines under the title: customer, period, date of the report. */
  subtitle?: string[];
  columns: XlsxColumn[];
  rows: Iterable<CellValue[]>;
  /** Rows after the table in bold: totals, balances. */
  footer?: CellValue[][];
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

function toCell(kind: CellKind, value: CellValue): ExcelJS.CellValue {
  if (value === null) return null;
  if (kind === 'money' && typeof value === 'number') return value / 100;
  if (kind === 'date' && typeof value === 'string') return new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return value;
}

function numFmt(kind: CellKind): string | undefined {
  return kind === 'money' ? MONEY_FORMAT : kind === 'qty' ? QTY_FORMAT : kind === 'date' ? DATE_FORMAT : undefined;
}

/** Writes the sheets and returns the .xlsx bytes. */
export async function buildWorkbook(sheets: SheetSpec[]): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  wb.creator = 'Оптовый кабинет';
  for (const spec of sheets) {
    const headerRow = 1 + 1 + (spec.subtitle?.length ?? 0) + 1; // title, subtitles, a blank line
    const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: headerRow }] });
    ws.columns = spec.columns.map((c, i) => ({ key: `c${i}`, width: c.width, style: numFmt(c.kind ?? 'text') ? { numFmt: numFmt(c.kind ?? 'text') } : {} }));
    const title = ws.addRow([spec.title]);
    title.font = { bold: true, size: 14 };
    title.commit();
    for (const line of spec.subtitle ?? []) ws.addRow([line]).commit();
    ws.addRow([]).commit();
    const header = ws.addRow(spec.columns.map((c) => c.header));
    header.eachCell((cell) => {
      cell.font = { bold: true };
      cell.fill = HEADER_FILL;
      cell.border = THIN;
      cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    });
    header.height = 30;
    header.commit();
    ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: spec.columns.length } };
    const write = (values: CellValue[], bold: boolean) => {
      const row = ws.addRow(spec.columns.map((c, i) => toCell(c.kind ?? 'text', values[i] ?? null)));
      spec.columns.forEach((c, i) => {
        const cell = row.getCell(i + 1);
        const fmt = numFmt(c.kind ?? 'text');
        if (fmt) cell.numFmt = fmt;
        cell.border = THIN;
        if (bold) cell.font = { bold: true };
      });
      row.commit();
    };
    for (const values of spec.rows) write(values, false);
    for (const values of spec.footer ?? []) write(values, true);
    ws.commit();
  }
  await wb.commit();
  await ended;
  return Buffer.concat(chunks);
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PDF_CONTENT_TYPE = 'application/pdf';
