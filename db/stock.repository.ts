import { sql, type Transaction } from 'kysely';
import type { OrderLineInput } from '../core/contracts/order.js';
import { approveQuantity, cutPriority } from '../core/domain/invoice.js';
import { invoiceProducts, type InvoiceProduct } from './catalog.repository.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';
import { claimHolds, cutHold } from './waitlist.repository.js';

/**
 * Stock and reservations. Every transaction that changes reservations takes its locks in one
 * order, so two of them never wait on each other in a cycle:
 *
 *   1. the invoices it changes (transaction-scoped advisory locks, by invoice id),
 *   2. the stock rows of the SKUs it touches (`for update`, by SKU),
 *   3. the reservation rows.
 *
 * (1) makes overlapping attempts of one activity run one after the other: the second reads what
 * the first committed, so a desired-state write converges instead of adding twice. A stock
 * correction changes other invoices' reservations without (1), so a transaction reads its
 * invoice's reservations again after (2), where no correction can move them any more.
 *
 * Code writes reservations only: the `reservations_move_stock` trigger keeps `stock.reserved`
 * equal to their sum, and a deferred check refuses a commit that would leave the two apart.
 */
export type Tx = Transaction<Database>;

export interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
}

export interface Held {
  invoice_id: string;
  sku: string;
  quantity: number;
  pinned: boolean;
}

/** Step 1: the invoices, in a fixed order. Released when the transaction ends. */
export async function lockInvoices(trx: Tx, invoiceIds: readonly string[]): Promise<void> {
  for (const id of [...new Set(invoiceIds)].sort()) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`invoice:${id}`}, 0))`.execute(trx);
  }
}

/** Step 2: the stock rows of `skus`, in SKU order. SKUs without a stock row are absent. */
export async function lockStock(trx: Tx, skus: Iterable<string>): Promise<Map<string, StockRow>> {
  const list = [...new Set(skus)].sort();
  if (list.length === 0) return new Map();
  const rows = await trx.selectFrom('stock').select(['sku', 'on_hand', 'reserved']).where('sku', 'in', list).orderBy('sku').forUpdate().execute();
  return new Map(rows.map((r) => [r.sku, r]));
}

/** What the invoices hold, by SKU order. Read it again after `lockStock` before deciding on it. */
export function heldBy(trx: Tx, invoiceIds: readonly string[]): Promise<Held[]> {
  if (invoiceIds.length === 0) return Promise.resolve([]);
  return trx.selectFrom('reservations').select(['invoice_id', 'sku', 'quantity', 'pinned']).where('invoice_id', 'in', invoiceIds).orderBy('sku').execute();
}

/** Steps 1 and 2 for one or more invoices: returns their reservations, now stable, and the stock rows. */
export async function lockInvoicesAndStock(
  trx: Tx,
  invoiceIds: readonly string[],
  moreSkus: Iterable<string> = [],
): Promise<{ held: Held[]; stock: Map<string, StockRow> }> {
  await lockInvoices(trx, invoiceIds);
  const before = await heldBy(trx, invoiceIds);
  const stock = await lockStock(trx, [...before.map((h) => h.sku), ...moreSkus]);
  // Only a correction could have changed them meanwhile, and it only lowers or removes rows.
  return { held: await heldBy(trx, invoiceIds), stock };
}

/** Sets the invoice's reservation of `sku` to `quantity` (0 removes it). */
export async function setReservation(trx: Tx, invoiceId: string, sku: string, quantity: number): Promise<void> {
  if (quantity <= 0) {
    await trx.deleteFrom('reservations').where('invoice_id', '=', invoiceId).where('sku', '=', sku).execute();
    return;
  }
  await trx
    .insertInto('reservations')
    .values({ invoice_id: invoiceId, sku, quantity })
    .onConflict((oc) => oc.columns(['invoice_id', 'sku']).doUpdateSet({ quantity }).where('reservations.quantity', '<>', quantity))
    .execute();
}

/** A shipment's stock movement, under the locks of `lockInvoicesAndStock`: the invoice's reserved goods leave the stock. */
export async function shipReserved(trx: Tx, invoiceId: string, held: readonly Held[]): Promise<void> {
  // Reservations first (the trigger lowers reserved), then on hand: reserved never exceeds it.
  await trx.deleteFrom('reservations').where('invoice_id', '=', invoiceId).execute();
  for (const r of held) {
    await trx
      .updateTable('stock')
      .set({ on_hand: sql`on_hand - ${r.quantity}`, updated_at: sql`now()` })
      .where('sku', '=', r.sku)
      .execute();
  }
}

export async function stockOf(db: Db, sku: string): Promise<{ onHand: number; reserved: number }> {
  const row = await db.selectFrom('stock').select(['on_hand', 'reserved']).where('sku', '=', sku).executeTakeFirstOrThrow();
  return { onHand: row.on_hand, reserved: row.reserved };
}

/** What the invoice holds now, by SKU. */
export async function invoiceReservations(db: Db, invoiceId: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).execute();
  return Object.fromEntries(rows.map((r) => [r.sku, r.quantity]));
}

export interface LineReservation {
  sku: string;
  requested: number;
  approved: number;
  /** undefined: the SKU is not in the catalog, and nothing is reserved for it. */
  product: InvoiceProduct | undefined;
}

/**
 * Sets what the invoice holds to its lines, each as far as the free stock allows, and releases
 * whatever it held but no longer lists (desired state). Returns each line's outcome, in order.
 */
export function reserveInvoiceLines(db: Db, invoiceId: string, lines: OrderLineInput[], claims: readonly string[] = []): Promise<LineReservation[]> {
  return db.transaction().execute((trx) => reserveLinesIn(trx, invoiceId, lines, claims));
}

/**
 * reserveInvoiceLines inside a caller's transaction (which then holds the invoice's lock first).
 * `claims`: waitlist offers whose held pieces pass to this invoice in the same transaction.
 */
export async function reserveLinesIn(trx: Tx, invoiceId: string, lines: OrderLineInput[], claims: readonly string[] = []): Promise<LineReservation[]> {
  const { held, stock } = await lockInvoicesAndStock(
    trx,
    [invoiceId],
    lines.map((l) => l.sku),
  );
  const claimed = await claimHolds(trx, invoiceId, claims);
  const heldBySku = new Map(held.map((r) => [r.sku, r.quantity]));
  const productBySku = await invoiceProducts(trx, [...new Set(lines.map((l) => l.sku))]);

  const checked: LineReservation[] = [];
  for (const { sku, quantity } of lines) {
    const product = productBySku.get(sku);
    const current = heldBySku.get(sku) ?? 0;
    heldBySku.delete(sku);
    if (!product) {
      checked.push({ sku, requested: quantity, approved: 0, product: undefined });
      continue;
    }
    const row = stock.get(sku);
    const free = row ? row.on_hand - row.reserved + current + (claimed.get(sku) ?? 0) : 0;
    const approved = approveQuantity(quantity, free);
    await setReservation(trx, invoiceId, sku, approved);
    checked.push({ sku, requested: quantity, approved, product });
  }
  // Desired state: whatever the invoice held but no longer lists is released.
  for (const sku of heldBySku.keys()) await setReservation(trx, invoiceId, sku, 0);
  return checked;
}

export async function releaseInvoiceReservations(db: Db, invoiceId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { held } = await lockInvoicesAndStock(trx, [invoiceId]);
    for (const r of held) await setReservation(trx, invoiceId, r.sku, 0);
  });
}

/**
 * Pins the invoice's reservations, so no stock cut can take them any more; pins nothing and
 * returns the SKUs whose reservations no longer cover the approved lines (empty when pinned).
 */
export async function pinInvoiceReservations(db: Db, invoiceId: string, lines: { sku: string; approved: number }[]): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const { held } = await lockInvoicesAndStock(trx, [invoiceId]);
    const have = new Map(held.map((h) => [h.sku, h.quantity]));
    const short = lines.filter((l) => l.approved > 0 && (have.get(l.sku) ?? 0) < l.approved).map((l) => l.sku);
    if (short.length) return short;
    await trx.updateTable('reservations').set({ pinned: true }).where('invoice_id', '=', invoiceId).where('pinned', '=', false).execute();
    return [];
  });
}

/**
 * Sets the SKU's pieces on hand once per correction id (a retry returns the first outcome). When
 * reservations exceed them, cuts unpinned ones (lowest cut priority first, newest first) and
 * returns the invoices cut; when even that is not enough, changes nothing and returns `shortBy`.
 */
export async function correctStock(
  db: Db,
  { correctionId, sku, onHand }: { correctionId: string; sku: string; onHand: number },
): Promise<{ affectedInvoiceIds: string[] } | { shortBy: number }> {
  return db.transaction().execute(async (trx) => {
    const stock = (await lockStock(trx, [sku])).get(sku);
    const done = await trx.selectFrom('stock_corrections').select('affected').where('id', '=', correctionId).executeTakeFirst();
    if (done) return { affectedInvoiceIds: done.affected };
    let excess = (stock?.reserved ?? 0) - onHand;
    const cuts: { invoiceId: string; quantity: number; hold: boolean }[] = [];
    if (excess > 0) {
      // Pinned (picked) reservations are never cut. The read model only orders the rest; an
      // invoice not projected yet (a merge in flight) counts as waiting on the customer.
      const holders = await trx
        .selectFrom('reservations as r')
        .leftJoin('invoices as i', 'i.id', 'r.invoice_id')
        .leftJoin('waitlist_entries as w', 'w.id', 'r.invoice_id')
        .select(['r.invoice_id', 'r.quantity', 'r.created_at', 'i.status', 'i.created_at as invoice_created_at', 'w.id as hold', 'w.seq as place'])
        .where('r.sku', '=', sku)
        .where('r.pinned', '=', false)
        .execute();
      const cuttable = holders
        // A waitlist hold is cut first (nobody has ordered those pieces yet), the back of the line
        // before the front: holds made in one pass share a timestamp, their places do not.
        .map((h) => ({
          ...h,
          priority: h.hold ? -1 : ((h.status ? cutPriority(h.status) : undefined) ?? 0),
          at: h.place !== null ? Number(h.place) : (h.invoice_created_at ?? h.created_at).getTime(),
        }))
        .sort((a, b) => a.priority - b.priority || b.at - a.at);
      for (const h of cuttable) {
        if (excess <= 0) break;
        const cut = Math.min(excess, h.quantity);
        excess -= cut;
        cuts.push({ invoiceId: h.invoice_id, quantity: h.quantity - cut, hold: h.hold !== null });
      }
      if (excess > 0) return { shortBy: excess };
    }
    for (const c of cuts) {
      await setReservation(trx, c.invoiceId, sku, c.quantity);
      if (c.hold) await cutHold(trx, c.invoiceId, c.quantity);
    }
    const affected = cuts.filter((c) => !c.hold).map((c) => c.invoiceId);
    await trx
      .insertInto('stock')
      .values({ sku, on_hand: onHand })
      .onConflict((oc) => oc.column('sku').doUpdateSet({ on_hand: onHand, updated_at: sql`now()` }))
      .execute();
    await trx
      .insertInto('stock_corrections')
      .values({ id: correctionId, sku, on_hand: onHand, affected: JSON.stringify(affected) })
      .execute();
    return { affectedInvoiceIds: affected };
  });
}

/**
 * A merge: the sources' reservations become the new invoice's, the same pieces held by another
 * invoice, and each move is recorded (merge_moves) so an unmerge can give it back. Once per merge.
 */
export async function moveReservations(
  db: Db,
  { mergeId, fromInvoiceIds, toInvoiceId }: { mergeId: string; fromInvoiceIds: string[]; toInvoiceId: string },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { held } = await lockInvoicesAndStock(trx, [...fromInvoiceIds, toInvoiceId]);
    const moved = await trx.selectFrom('merge_moves').select('merge_id').where('merge_id', '=', mergeId).limit(1).executeTakeFirst();
    if (moved) return;
    const fromSources = held.filter((h) => h.invoice_id !== toInvoiceId);
    if (fromSources.length === 0) return;
    await trx
      .insertInto('merge_moves')
      .values(fromSources.map((h) => ({ merge_id: mergeId, source_invoice_id: h.invoice_id, sku: h.sku, quantity: h.quantity })))
      .execute();
    await trx.deleteFrom('reservations').where('invoice_id', 'in', fromInvoiceIds).execute();
    // The same pieces stay held, by another invoice: the trigger lowers and raises reserved alike.
    for (const [sku, quantity] of sumBySku(fromSources)) await setReservation(trx, toInvoiceId, sku, quantity);
  });
}

/**
 * Gives every recorded move of the merge back to its source, as far as the new invoice still
 * holds it (a stock cut may have taken some since), source by source.
 */
export async function restoreReservations(db: Db, mergeId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const recorded = () => trx.selectFrom('merge_moves').selectAll().where('merge_id', '=', mergeId).orderBy('sku').orderBy('source_invoice_id').execute();
    const sources = (await recorded()).map((m) => m.source_invoice_id);
    if (sources.length === 0) return;
    const { held } = await lockInvoicesAndStock(trx, [mergeId, ...sources]);
    // Read again under the locks: an overlapping attempt may have restored them already.
    const moves = await recorded();
    if (moves.length === 0) return;
    const left = new Map(held.filter((h) => h.invoice_id === mergeId).map((h) => [h.sku, h.quantity]));
    await trx.deleteFrom('reservations').where('invoice_id', '=', mergeId).execute();
    for (const m of moves) {
      const give = Math.min(m.quantity, left.get(m.sku) ?? 0);
      left.set(m.sku, (left.get(m.sku) ?? 0) - give);
      await setReservation(trx, m.source_invoice_id, m.sku, give);
    }
    await trx.deleteFrom('merge_moves').where('merge_id', '=', mergeId).execute();
  });
}

function sumBySku(rows: { sku: string; quantity: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.sku, (totals.get(r.sku) ?? 0) + r.quantity);
  return totals;
}
