// The rows of a workbook's first worksheet as cell texts, read straight from the sheet's XML with a
// SAX parser: no workbook model and no object per cell, so a 10,000-row order form leaves little
// garbage behind (exceljs' streaming reader built a Row and Cells for every row: bench B6).
// Texts are what exceljs' cell values print as: shared and inline strings (rich text joined),
// numbers as JavaScript prints them, booleans as true/false, errors as empty.
import { SaxesParser } from 'saxes';
import { inspectZip, readZipEntry, type ZipEntry, type ZipLimits } from './zip-guard.js';

/** Takes one row; answering `'stop'` skips the rest of the sheet. */
export type RowHandler = (row: SheetRow) => 'stop' | undefined;

export interface SheetRow {
  /** 1-based, as Excel numbers rows. */
  number: number;
  /** 1-based column → text; empty cells are absent. */
  cells: Map<number, string>;
}

/**
 * Hands the first worksheet's rows to `onRow`, in order, one at a time (none is kept); false when
 * the file has no worksheet. `onRow` answering 'stop' skips the rest.
 */
export function readFirstSheet(buf: Buffer, limits: ZipLimits, onRow: RowHandler): boolean {
  const zip = inspectZip(buf, limits);
  if (!zip.ok) throw new Error(zip.reason);
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const text = (name: string) => {
    const entry = byName.get(name);
    return entry ? readZipEntry(buf, entry).toString('utf8') : undefined;
  };
  const sheet = firstSheetPath(text, byName);
  const xml = sheet === undefined ? undefined : text(sheet);
  if (xml === undefined) return false;
  sheetRows(xml, sharedStrings(text('xl/sharedStrings.xml')), onRow);
  return true;
}

/** Runs a SAX pass, local names only (a prefix such as `x:` is dropped). */
interface SaxHandlers {
  open?: (name: string, attrs: Record<string, string>) => void;
  text?: (t: string) => void;
  close?: (name: string) => void;
}

function parse(xml: string, on: SaxHandlers): void {
  const parser = new SaxesParser();
  const local = (name: string) => name.slice(name.indexOf(':') + 1);
  parser.on('opentag', (tag) => on.open?.(local(tag.name), tag.attributes as Record<string, string>));
  if (on.text) {
    parser.on('text', on.text);
    parser.on('cdata', on.text);
  }
  parser.on('closetag', (tag) => on.close?.(local(tag.name)));
  parser.write(xml).close();
}

/** xl/workbook.xml's first <sheet>, through its relationship to the part that holds it. */
function firstSheetPath(text: (name: string) => string | undefined, entries: Map<string, ZipEntry>): string | undefined {
  let relId: string | undefined;
  parse(text('xl/workbook.xml') ?? '<w/>', {
    open: (name, attrs) => {
      if (name === 'sheet' && relId === undefined) relId = Object.entries(attrs).find(([k]) => k.endsWith(':id'))?.[1];
    },
  });
  let target: string | undefined;
  parse(text('xl/_rels/workbook.xml.rels') ?? '<r/>', {
    open: (name, attrs) => {
      if (name === 'Relationship' && attrs.Id === relId) target = attrs.Target;
    },
  });
  if (target) return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  // No relationship to follow: the first worksheet part in the archive.
  return [...entries.keys()].find((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n));
}

/** Each <si>'s text: its <t> runs joined, phonetic hints (<rPh>) left out. */
function sharedStrings(xml: string | undefined): string[] {
  const strings: string[] = [];
  if (xml === undefined) return strings;
  let current = '';
  let inT = false;
  let inPhonetic = false;
  parse(xml, {
    open: (name) => {
      if (name === 'si') current = '';
      else if (name === 't') inT = true;
      else if (name === 'rPh') inPhonetic = true;
    },
    text: (t) => {
      if (inT && !inPhonetic) current += t;
    },
    close: (name) => {
      if (name === 't') inT = false;
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si') strings.push(current);
    },
  });
  return strings;
}

/** "AB12" → 28 (the column of a cell reference). */
function columnOf(ref: string): number {
  let col = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    col = col * 26 + (code - 64);
  }
  return col;
}

function cellText(type: string | undefined, value: string, shared: string[]): string {
  if (type === 's') return shared[Number(value)] ?? '';
  if (type === 'inlineStr' || type === 'str') return value;
  if (type === 'b') return value === '1' ? 'true' : 'false';
  if (type === 'e') return '';
  return value === '' ? '' : String(Number(value));
}

function sheetRows(xml: string, shared: string[], onRow: RowHandler): void {
  let previousRow = 0;
  let done = false;
  let row: SheetRow | undefined;
  let cell: { col: number; type: string | undefined; value: string } | undefined;
  let reading: 'v' | 't' | undefined;
  parse(xml, {
    open: (name, attrs) => {
      if (done) return;
      if (name === 'row') {
        row = { number: attrs.r ? Number(attrs.r) : previousRow + 1, cells: new Map() };
      } else if (name === 'c' && row) {
        const previous = cell?.col ?? Math.max(0, ...row.cells.keys());
        cell = { col: attrs.r ? columnOf(attrs.r) : previous + 1, type: attrs.t, value: '' };
      } else if (cell && (name === 'v' || (name === 't' && cell.type === 'inlineStr'))) reading = name;
    },
    text: (t) => {
      if (cell && reading) cell.value += t;
    },
    close: (name) => {
      if (name === 'v' || name === 't') reading = undefined;
      else if (name === 'c' && row && cell) {
        const text = cellText(cell.type, cell.value, shared);
        if (text !== '') row.cells.set(cell.col, text);
      } else if (name === 'row' && row) {
        previousRow = row.number;
        if (!done && onRow(row) === 'stop') done = true;
        row = undefined;
        cell = undefined;
      }
    },
  });
}
