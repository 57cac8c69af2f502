import { buildWorkbook, type XlsxColumn } from './xlsx.js';
import { readFirstSheet, type SheetRow } from './xlsx-rows.js';
import { inspectZip, isZip, readZipEntry, type ZipLimits } from './zip-guard.js';

/**
 * The order form ("бланк"): one row per SKU with an empty quantity column, and the reader that
 * takes it back. The reader refuses hostile files before any XML is parsed (see `checkWorkbook`).
 */

export const ORDER_FORM_LIMITS = {
  /** A form for 10,000 SKUs is ~400 KB; 2 MiB leaves room for a customer's own formatting. */
  maxBytes: 2 * 1024 * 1024,
  /** More rows than any catalog has: a bigger sheet is refused before it is parsed. */
  maxRows: 20_000,
  zip: { maxEntries: 200, maxEntryBytes: 30 * 1024 * 1024, maxTotalBytes: 50 * 1024 * 1024, maxRatio: 200 } satisfies ZipLimits,
};

/** A catalog row as the form shows it: what the catalog lists, plus what is free to order. */
export interface OrderFormProduct {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  unit: string;
  priceKopecks: number;
  piecesPerBox: number;
  available: number;
}

export const SKU_HEADER = 'SKU';
export const QTY_HEADER = 'Количество';

export function buildOrderForm(products: Iterable<OrderFormProduct>, customerName: string, today: string): Promise<Buffer> {
  const columns: XlsxColumn[] = [
    { header: SKU_HEADER, width: 22 },
    { header: 'Артикул', width: 14 },
    { header: 'Наименование', width: 40 },
    { header: 'Характеристика', width: 24 },
    { header: 'Ед.', width: 6 },
    { header: 'Цена, руб.', width: 12, kind: 'money' },
    { header: 'Штук в коробе', width: 10, kind: 'qty' },
    { header: 'Доступно', width: 10, kind: 'qty' },
    { header: QTY_HEADER, width: 12, kind: 'qty' },
  ];
  const rows = (function* () {
    for (const p of products) yield [p.sku, p.article, p.name, p.characteristic, p.unit, p.priceKopecks, p.piecesPerBox, p.available, null];
  })();
  return buildWorkbook([
    {
      name: 'Бланк заказа',
      title: 'Бланк заказа',
      subtitle: [
        `Покупатель: ${customerName}. Каталог на ${today.split('-').reverse().join('.')}`,
        'Заполните колонку «Количество» (целое число штук) и загрузите файл в корзину. Пустые строки пропускаются, 0 убирает товар из корзины.',
      ],
      columns,
      rows,
    },
  ]);
}

export type FileRefusal = { code: 'file_too_large' | 'unsupported_file'; reason: string };

const isOle = (buf: Buffer) => buf.length >= 8 && buf.readUInt32BE(0) === 0xd0cf11e0 && buf.readUInt32BE(4) === 0xa1b11ae1;

/**
 * Everything that must hold before the sheet XML may be parsed: a zip with sane declared sizes,
 * an .xlsx (not .xlsm, no VBA project), data that inflates to what it declares, and not more
 * rows than allowed. Returns the refusal, or undefined when the file may be parsed.
 */
export function checkWorkbook(buf: Buffer, limits = ORDER_FORM_LIMITS): FileRefusal | undefined {
  if (buf.length > limits.maxBytes) return { code: 'file_too_large', reason: `Файл больше ${limits.maxBytes / 1024 / 1024} МБ` };
  if (isOle(buf)) return { code: 'unsupported_file', reason: 'Старый формат .xls не поддерживается: сохраните бланк как .xlsx' };
  if (!isZip(buf)) return { code: 'unsupported_file', reason: 'Это не файл Excel (.xlsx): загрузите бланк заказа, скачанный из кабинета' };
  const zip = inspectZip(buf, limits.zip);
  if (!zip.ok) return { code: zip.code, reason: zip.reason };
  const names = new Set(zip.entries.map((e) => e.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) return { code: 'unsupported_file', reason: 'Это не книга Excel (.xlsx)' };
  if (zip.entries.some((e) => /(^|\/)vbaProject\.bin$/i.test(e.name) || e.name.startsWith('xl/macrosheets/'))) {
    return { code: 'unsupported_file', reason: 'Файлы с макросами не принимаются: сохраните бланк как обычную книгу .xlsx' };
  }
  let rows = 0;
  for (const entry of zip.entries) {
    let data: Buffer;
    try {
      data = readZipEntry(buf, entry);
    } catch {
      return { code: 'unsupported_file', reason: `Файл повреждён или похож на zip-бомбу (${entry.name})` };
    }
    if (entry.name === '[Content_Types].xml' && /macroEnabled|vbaProject/i.test(data.toString('utf8'))) {
      return { code: 'unsupported_file', reason: 'Файлы с макросами (.xlsm) не принимаются: сохраните бланк как обычную книгу .xlsx' };
    }
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(entry.name)) rows += countRows(data);
    if (rows > limits.maxRows) return { code: 'file_too_large', reason: `В файле больше ${limits.maxRows} строк: разделите заказ на несколько файлов` };
  }
  return undefined;
}

/** Counts `<row` elements (with or without a namespace prefix) without building a DOM. */
function countRows(xml: Buffer): number {
  const re = /<(?:[A-Za-z0-9_]+:)?row[\s>/]/g;
  let n = 0;
  // latin1 maps bytes 1:1, so the tag names match whatever the text encoding.
  for (const text = xml.toString('latin1'); re.exec(text);) n++;
  return n;
}

export interface FormLine {
  row: number;
  sku: string;
  quantity: number;
}
export interface FormRejection {
  row: number;
  sku?: string;
  reason: string;
}

/** Reads the filled rows of an order form that passed `checkWorkbook`. */
export async function readOrderForm(buf: Buffer): Promise<{ ok: true; lines: FormLine[]; rejected: FormRejection[] } | ({ ok: false } & FileRefusal)> {
  const notAForm = {
    ok: false as const,
    code: 'unsupported_file' as const,
    reason: `Это не бланк заказа: нет колонок «${SKU_HEADER}» и «${QTY_HEADER}». Скачайте бланк в кабинете`,
  };
  const lines: FormLine[] = [];
  const rejected: FormRejection[] = [];
  const seen = new Map<string, number>();
  // The header is the first row (of the first 20) that has both columns.
  let header: { row: number; skuCol: number; qtyCol: number } | undefined;
  let found: boolean;
  try {
    found = readFirstSheet(buf, ORDER_FORM_LIMITS.zip, (row) => {
      if (!header) {
        if (row.number > 20) return 'stop';
        header = headerOf(row);
        return undefined;
      }
      const rejection = readLine(row, header, seen, lines);
      if (rejection) rejected.push(rejection);
      return undefined;
    });
  } catch {
    return { ok: false, code: 'unsupported_file', reason: 'Файл Excel повреждён и не читается' };
  }
  if (!found || !header) return notAForm;
  return { ok: true, lines, rejected };
}

function headerOf(row: SheetRow): { row: number; skuCol: number; qtyCol: number } | undefined {
  let skuCol = 0;
  let qtyCol = 0;
  for (const [col, value] of row.cells) {
    const text = value.trim().toLowerCase();
    if (text === SKU_HEADER.toLowerCase()) skuCol = col;
    if (text === QTY_HEADER.toLowerCase()) qtyCol = col;
  }
  return skuCol && qtyCol ? { row: row.number, skuCol, qtyCol } : undefined;
}

/** Adds the row's line to `lines`, or says why it is refused; an empty quantity is no line at all. */
function readLine(row: SheetRow, header: { skuCol: number; qtyCol: number }, seen: Map<string, number>, lines: FormLine[]): FormRejection | undefined {
  const r = row.number;
  const sku = (row.cells.get(header.skuCol) ?? '').trim();
  const rawQty = row.cells.get(header.qtyCol) ?? '';
  const qtyText = rawQty.trim().replace(/\s+/g, '').replace(',', '.');
  if (!qtyText) return undefined; // the customer did not order this SKU
  if (!sku) return { row: r, reason: 'не указан SKU' };
  const quantity = Number(qtyText);
  if (!Number.isFinite(quantity) || !/^-?\d+(\.\d+)?$/.test(qtyText)) return { row: r, sku, reason: `количество «${rawQty}» — не число` };
  if (!Number.isInteger(quantity)) return { row: r, sku, reason: 'количество должно быть целым числом штук' };
  if (quantity < 0) return { row: r, sku, reason: 'количество не может быть отрицательным' };
  if (quantity > 1_000_000) return { row: r, sku, reason: 'количество больше 1 000 000' };
  const first = seen.get(sku);
  if (first !== undefined) return { row: r, sku, reason: `SKU повторяется: уже указан в строке ${first}` };
  seen.set(sku, r);
  lines.push({ row: r, sku, quantity });
  return undefined;
}
