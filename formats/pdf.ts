import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

/**
 * PDF building blocks on pdfkit. The standard PDF fonts have no Cyrillic, so every document
 * embeds DejaVu Sans from the `dejavu-fonts-ttf` npm package (never a system font: the result
 * must be the same on every machine). pdfkit subsets the font, so files stay small.
 */

const require = createRequire(import.meta.url);
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

let fonts: { regular: Buffer; bold: Buffer } | undefined;
function loadFonts(): { regular: Buffer; bold: Buffer } {
  // Read once per process: every document needs them.
  fonts ??= { regular: readFileSync(path.join(fontDir, 'DejaVuSans.ttf')), bold: readFileSync(path.join(fontDir, 'DejaVuSans-Bold.ttf')) };
  return fonts;
}

export const REGULAR = 'DejaVu';
export const BOLD = 'DejaVu-Bold';

export type Pdf = PDFKit.PDFDocument;

/** A new A4 document with the Cyrillic fonts registered, and a promise of its bytes. */
export function createPdf(opts: { title: string; landscape?: boolean }): { doc: Pdf; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    layout: opts.landscape ? 'landscape' : 'portrait',
    margins: { top: 36, bottom: 36, left: 36, right: 36 },
    info: { Title: opts.title, Producer: 'Оптовый кабинет' },
    bufferPages: false,
  });
  const { regular, bold } = loadFonts();
  doc.registerFont(REGULAR, regular);
  doc.registerFont(BOLD, bold);
  doc.font(REGULAR);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

export interface PdfColumn {
  header: string;
  width: number;
  align?: 'left' | 'right' | 'center';
}

const PAD = 3;

function rowHeight(doc: Pdf, columns: readonly PdfColumn[], cells: readonly string[]): number {
  let h = 0;
  columns.forEach((col, i) => {
    h = Math.max(h, doc.heightOfString(cells[i] ?? '', { width: col.width - 2 * PAD }));
  });
  return h + 2 * PAD;
}

function drawRow(doc: Pdf, columns: readonly PdfColumn[], cells: readonly string[], y: number, height: number): void {
  let x = doc.page.margins.left;
  columns.forEach((col, i) => {
    doc.rect(x, y, col.width, height).stroke();
    doc.text(cells[i] ?? '', x + PAD, y + PAD, { width: col.width - 2 * PAD, align: col.align ?? 'left', lineBreak: true });
    x += col.width;
  });
}

/**
 * A bordered table that flows over pages, repeating its header on each. Rows are drawn as they
 * come, so memory does not grow with the row count beyond the PDF itself.
 */
export function drawTable(doc: Pdf, columns: readonly PdfColumn[], rows: Iterable<readonly string[]>, fontSize = 8): void {
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const header = () => {
    doc.font(BOLD).fontSize(fontSize);
    const cells = columns.map((c) => c.header);
    const h = rowHeight(doc, columns, cells);
    if (doc.y + h > bottom()) doc.addPage();
    const y = doc.y;
    doc
      .save()
      .rect(
        doc.page.margins.left,
        y,
        columns.reduce((s, c) => s + c.width, 0),
        h,
      )
      .fill('#e8e8e8')
      .restore();
    drawRow(doc, columns, cells, y, h);
    doc.y = y + h;
    doc.font(REGULAR).fontSize(fontSize);
  };
  doc.lineWidth(0.5);
  header();
  for (const cells of rows) {
    const h = rowHeight(doc, columns, cells);
    if (doc.y + h > bottom()) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    drawRow(doc, columns, cells, y, h);
    doc.y = y + h;
  }
  doc.x = doc.page.margins.left;
}

/** "12 490,00" (no currency sign: the column header says руб.). */
export function money(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${sign}${whole},${String(abs % 100).padStart(2, '0')}`;
}
