import type { Box } from './packing.js';
import type { Kopecks } from './money.js';

/** One shipped line as the reports read it (a realization line with its realization). */
export interface ShippedLine {
  realizationNumber: string;
  date: string;
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  quantity: number;
  priceKopecks: Kopecks;
}

export interface SalesRow {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  quantity: number;
  amount: Kopecks;
}

/** Sales by product and characteristic (= SKU), sorted by article, name, characteristic. */
export function aggregateSales(lines: Iterable<ShippedLine>): SalesRow[] {
  const rows = new Map<string, SalesRow>();
  for (const l of lines) {
    const row = rows.get(l.sku) ?? { sku: l.sku, article: l.article, name: l.name, characteristic: l.characteristic, quantity: 0, amount: 0 };
    row.quantity += l.quantity;
    row.amount += l.quantity * l.priceKopecks;
    rows.set(l.sku, row);
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.article.localeCompare(b.article, 'ru') ||
      a.name.localeCompare(b.name, 'ru') ||
      (a.characteristic ?? '').localeCompare(b.characteristic ?? '', 'ru') ||
      a.sku.localeCompare(b.sku),
  );
}

export const PACKING_LAYOUTS = ['by-article', 'box-nomenclature', 'box-characteristic'] as const;
export type PackingLayout = (typeof PACKING_LAYOUTS)[number];

export interface PackedProduct {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
}

export interface PackingRow {
  box: number | null;
  article: string;
  name: string;
  characteristic: string | null;
  quantity: number;
  /** by-article: the boxes the SKU is in. */
  boxes: number[];
}

/**
 * The rows of one realization's packing list:
 * - by-article: one row per SKU with its total and the boxes it is in;
 * - box-nomenclature: per box, one row per product (article + name), characteristics summed;
 * - box-characteristic: per box, one row per SKU (product + characteristic).
 */
export function packingRows(layout: PackingLayout, boxes: readonly Box[], products: ReadonlyMap<string, PackedProduct>): PackingRow[] {
  const product = (sku: string): PackedProduct => products.get(sku) ?? { sku, article: sku, name: sku, characteristic: null };
  const sortedBoxes = [...boxes].sort((a, b) => a.number - b.number);
  if (layout === 'by-article') {
    const rows = new Map<string, PackingRow>();
    for (const box of sortedBoxes) {
      for (const l of box.lines) {
        const p = product(l.sku);
        const row = rows.get(l.sku) ?? { box: null, article: p.article, name: p.name, characteristic: p.characteristic, quantity: 0, boxes: [] };
        row.quantity += l.quantity;
        if (!row.boxes.includes(box.number)) row.boxes.push(box.number);
        rows.set(l.sku, row);
      }
    }
    return [...rows.values()].sort((a, b) => a.article.localeCompare(b.article, 'ru') || (a.characteristic ?? '').localeCompare(b.characteristic ?? '', 'ru'));
  }
  const out: PackingRow[] = [];
  for (const box of sortedBoxes) {
    const rows = new Map<string, PackingRow>();
    for (const l of box.lines) {
      const p = product(l.sku);
      const key = layout === 'box-nomenclature' ? `${p.article}\u0000${p.name}` : l.sku;
      const row = rows.get(key) ?? {
        box: box.number,
        article: p.article,
        name: p.name,
        characteristic: layout === 'box-nomenclature' ? null : p.characteristic,
        quantity: 0,
        boxes: [box.number],
      };
      row.quantity += l.quantity;
      rows.set(key, row);
    }
    out.push(
      ...[...rows.values()].sort((a, b) => a.article.localeCompare(b.article, 'ru') || (a.characteristic ?? '').localeCompare(b.characteristic ?? '', 'ru')),
    );
  }
  return out;
}
