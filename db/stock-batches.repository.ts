import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * The ERP's stock batches, idempotent by batch id: the first request records the body's hash; a
 * repeat with the same body gets the stored result (or, while the first still runs, the same
 * corrections, whose ids derive from the batch), another body is refused.
 */

export type BatchClaim = { kind: 'run' } | { kind: 'done'; result: Record<string, unknown> } | { kind: 'conflict' };

export async function claimStockBatch(db: Db, batchId: string, requestHash: string): Promise<BatchClaim> {
  await db
    .insertInto('stock_batches')
    .values({ batch_id: batchId, request_hash: requestHash })
    .onConflict((oc) => oc.column('batch_id').doNothing())
    .execute();
  const row = await db.selectFrom('stock_batches').select(['request_hash', 'result']).where('batch_id', '=', batchId).executeTakeFirstOrThrow();
  if (row.request_hash !== requestHash) return { kind: 'conflict' };
  return row.result ? { kind: 'done', result: row.result } : { kind: 'run' };
}

export async function saveStockBatchResult(db: Db, batchId: string, result: Record<string, unknown>): Promise<void> {
  // The first result stays: a concurrent repeat computed the same corrections anyway.
  await db
    .updateTable('stock_batches')
    .set({ result: JSON.stringify(result) })
    .where('batch_id', '=', batchId)
    .where('result', 'is', null)
    .execute();
}

/** Sets the prices of the SKUs that exist; returns the SKUs whose price changed. */
export async function setPrices(db: Db, prices: readonly { sku: string; priceKopecks: number }[]): Promise<string[]> {
  if (prices.length === 0) return [];
  const { rows } = await sql<{ sku: string }>`
    update products p set price_kopecks = v.price, updated_at = now()
    from (values ${sql.join(prices.map((x) => sql`(${x.sku}::text, ${x.priceKopecks}::bigint)`))}) as v (sku, price)
    where p.sku = v.sku and p.price_kopecks <> v.price
    returning p.sku
  `.execute(db);
  return rows.map((r) => r.sku);
}
