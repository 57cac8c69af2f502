import type { InvoiceLine } from './invoice.js';
import { MAX_BOXES } from './limits.js';

/** A box as the warehouse reports it: its number and what is in it. */
export interface Box {
  number: number;
  lines: { sku: string; quantity: number }[];
}

export type BoxesResult = { ok: true; boxes: Box[] } | { ok: false; reason: string };

/**
 * Checks the warehouse's boxes against the invoice: only its SKUs, positive quantities, unique box
 * numbers, and every approved piece packed exactly once.
 */
export function validateBoxes(lines: readonly InvoiceLine[], boxes: readonly Box[]): BoxesResult {
  const numbers = new Set(boxes.map((b) => b.number));
  if (numbers.size !== boxes.length) return { ok: false, reason: 'Номера коробов повторяются' };
  const packed = new Map<string, number>();
  for (const box of boxes) {
    if (box.lines.length === 0) return { ok: false, reason: `Короб ${box.number} пуст` };
    for (const l of box.lines) {
      if (!Number.isInteger(l.quantity) || l.quantity <= 0) return { ok: false, reason: `Короб ${box.number}: количество ${l.sku} должно быть больше 0` };
      packed.set(l.sku, (packed.get(l.sku) ?? 0) + l.quantity);
    }
  }
  const approved = new Map(lines.filter((l) => l.approved > 0).map((l) => [l.sku, l.approved]));
  for (const [sku, quantity] of packed) {
    if (!approved.has(sku)) return { ok: false, reason: `Товара ${sku} нет в счёте` };
    if (approved.get(sku) !== quantity) return { ok: false, reason: `${sku}: упаковано ${quantity} шт., в счёте ${approved.get(sku)} шт.` };
  }
  for (const [sku, quantity] of approved) {
    if (!packed.has(sku)) return { ok: false, reason: `${sku}: ${quantity} шт. не упакованы ни в один короб` };
  }
  return { ok: true, boxes: [...boxes].sort((a, b) => a.number - b.number) };
}

/**
 * Packing by pieces per box when the warehouse sends no boxes: full boxes per SKU, then one box per
 * remainder. When that would make more than MAX_BOXES boxes (say a million pieces at one per box),
 * every box takes the same whole multiple of its pieces per box, the smallest that fits: the
 * packing list stays a list a person can use and the workflow state stays bounded.
 */
export function packByPiecesPerBox(lines: readonly InvoiceLine[], maxBoxes: number = MAX_BOXES): Box[] {
  const perBoxOf = (line: InvoiceLine) => Math.max(1, line.piecesPerBox);
  const count = (factor: number) => lines.reduce((sum, l) => sum + Math.ceil(Math.max(0, l.approved) / (perBoxOf(l) * factor)), 0);
  const withApproved = lines.filter((l) => l.approved > 0).length;
  let factor = 1;
  if (count(1) > maxBoxes && withApproved <= maxBoxes) {
    // count() falls as factor grows: binary-search the smallest factor that fits.
    let low = 1;
    let high = Math.max(1, ...lines.map((l) => Math.ceil(Math.max(0, l.approved) / perBoxOf(l))));
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (count(mid) <= maxBoxes) high = mid;
      else low = mid + 1;
    }
    factor = low;
  }
  const boxes: Box[] = [];
  for (const line of lines) {
    let left = line.approved;
    const perBox = perBoxOf(line) * factor;
    while (left > 0) {
      const quantity = Math.min(perBox, left);
      boxes.push({ number: boxes.length + 1, lines: [{ sku: line.sku, quantity }] });
      left -= quantity;
    }
  }
  return boxes;
}
