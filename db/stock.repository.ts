import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

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
