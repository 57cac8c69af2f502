import ExcelJS from 'exceljs';

/** Text of every page of a PDF, pages joined by newlines (pdf.js, the same engine browsers use). */
export async function pdfText(bytes: Buffer | Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}

export async function pdfPageCount(bytes: Buffer | Uint8Array): Promise<number> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const n = doc.numPages;
  await doc.destroy();
  return n;
}

/** Loads a workbook back with exceljs. */
export async function readWorkbook(bytes: Buffer | Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** A sheet's rows as arrays of plain values (index 0 = column A). */
export function sheetRows(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, r) => {
    const values = row.values as unknown[];
    rows[r - 1] = values.slice(1);
  });
  return rows.map((r) => r ?? []);
}

/** The first row (and its index) whose first cell equals `first`. */
export function findRow(rows: unknown[][], first: unknown): unknown[] | undefined {
  return rows.find((r) => r[0] === first);
}
