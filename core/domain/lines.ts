import type { InvoiceLine } from './invoice.js';
import { MAX_INVOICE_LINES, MAX_LINE_QUANTITY } from './limits.js';
import { withoutChanges } from './line-changes.js';

/** Pure operations on invoice lines; each returns new lines or a reason to refuse. */

export interface QuantityChange {
  sku: string;
  quantity: number;
}

export type LinesResult = { ok: true; lines: InvoiceLine[] } | { ok: false; reason: string };

/**
 * The customer's edit: new requested quantities for lines already on the invoice (0 removes).
 * Approved quantities can only shrink here; growing needs a re-check (send for confirmation).
 */
export function applyEdit(lines: readonly InvoiceLine[], changes: readonly QuantityChange[]): LinesResult {
  const bySku = new Map(changes.map((c) => [c.sku, c.quantity]));
  if (bySku.size !== changes.length) return { ok: false, reason: 'Каждый артикул можно указать только один раз' };
  const unknown = changes.filter((c) => !lines.some((l) => l.sku === c.sku)).map((c) => c.sku);
  if (unknown.length) {
    return { ok: false, reason: `В счёте нет позиций ${unknown.join(', ')}: новые товары добавляются через корзину («Добавить товары в счёт»)` };
  }
  const next = lines.flatMap((line) => {
    const quantity = bySku.get(line.sku);
    if (quantity === undefined) return [line];
    if (quantity === 0) return [];
    return [{ ...line, requested: quantity, approved: Math.min(line.approved, quantity) }];
  });
  if (next.length === 0) return { ok: false, reason: 'В счёте должна остаться хотя бы одна позиция; чтобы удалить счёт, отмените его' };
  return { ok: true, lines: next };
}

/** Requested quantities after adding items: the same SKU sums up, new SKUs go to the end. */
export function requestedAfterAdding(lines: readonly InvoiceLine[], added: readonly QuantityChange[]): QuantityChange[] {
  const totals = new Map(lines.map((l) => [l.sku, l.requested]));
  for (const a of added) totals.set(a.sku, (totals.get(a.sku) ?? 0) + a.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * Why adding these items is refused, or undefined: the sum must stay within the invoice's bounds
 * (otherwise repeated additions would grow an invoice past what an edit or a merge may hold).
 */
export function addingRefusal(lines: readonly InvoiceLine[], added: readonly QuantityChange[]): string | undefined {
  const after = requestedAfterAdding(lines, added);
  if (after.length > MAX_INVOICE_LINES) {
    return `В счёте было бы ${after.length} позиций, допустимо не больше ${MAX_INVOICE_LINES}: оформите остальное новым заказом`;
  }
  const over = after.find((l) => l.quantity > MAX_LINE_QUANTITY);
  if (over) return `Позиция ${over.sku}: в счёте было бы ${over.quantity} шт., допустимо не больше ${MAX_LINE_QUANTITY}`;
  return undefined;
}

/** Checked lines from the stock check, keeping prices a manager set by hand. */
export function keepManualPrices(previous: readonly InvoiceLine[], checked: readonly InvoiceLine[]): InvoiceLine[] {
  const manual = new Map(previous.filter((l) => l.manualPrice).map((l) => [l.sku, l.priceKopecks]));
  return checked.map((line) => {
    const price = manual.get(line.sku);
    return price === undefined ? line : { ...line, priceKopecks: price, manualPrice: true };
  });
}

/** A manager's change to one line: a new quantity, a price set by hand, or both. */
export interface LineAdjustment {
  sku: string;
  quantity?: number;
  priceKopecks?: number;
}

/** What to reserve for a manager's adjustment: the new quantity where one is given, else what is approved now. */
export function adjustmentTargets(lines: readonly InvoiceLine[], adjustments: readonly LineAdjustment[]): QuantityChange[] {
  const changes = new Map(adjustments.map((a) => [a.sku, a]));
  return lines.map((l) => ({ sku: l.sku, quantity: changes.get(l.sku)?.quantity ?? l.approved }));
}

/**
 * The lines after a manager's adjustment, from the lines the stock check returned for
 * `adjustmentTargets(before, …)` (same order as `before`): a new quantity becomes the requested
 * one, a new price stays as a manual price; other lines keep what the customer requested.
 */
export function applyAdjustment(before: readonly InvoiceLine[], checked: readonly InvoiceLine[], adjustments: readonly LineAdjustment[]): InvoiceLine[] {
  const changes = new Map(adjustments.map((a) => [a.sku, a]));
  return checked.map((line, i) => {
    const change = changes.get(line.sku);
    const requested = change?.quantity ?? before[i]?.requested ?? line.requested;
    const price = change?.priceKopecks;
    return { ...line, requested, ...(price !== undefined ? { priceKopecks: price, manualPrice: true } : {}) };
  });
}

/** Sets approved quantities to what the invoice really holds after a stock correction cut it. */
export function applyHeld(
  lines: readonly InvoiceLine[],
  held: ReadonlyMap<string, number>,
): { lines: InvoiceLine[]; cut: { sku: string; from: number; to: number }[] } {
  const cut: { sku: string; from: number; to: number }[] = [];
  const next = lines.map((line) => {
    const have = held.get(line.sku) ?? 0;
    if (have >= line.approved) return line;
    cut.push({ sku: line.sku, from: line.approved, to: have });
    return { ...line, approved: have, reason: 'out_of_stock' as const };
  });
  return { lines: next, cut };
}

/** What the customer is told about a cut, line by line. */
export function cutReason(cut: readonly { sku: string; from: number; to: number }[]): string {
  return cut.map((c) => `${c.sku}: подтверждено ${c.to} шт. вместо ${c.from} (остаток на складе уменьшился)`).join('; ');
}

/** The lines of a merged invoice: every source's lines summed by SKU, first-seen order and price. */
export function mergeLines(sources: readonly (readonly InvoiceLine[])[]): InvoiceLine[] {
  const merged = new Map<string, InvoiceLine>();
  for (const line of sources.flat()) {
    const seen = merged.get(line.sku);
    merged.set(line.sku, seen ? { ...seen, requested: seen.requested + line.requested, approved: seen.approved + line.approved } : { ...line });
  }
  // A source's unanswered changes are not the merged invoice's: it starts without them.
  return withoutChanges([...merged.values()]);
}
