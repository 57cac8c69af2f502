import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { approveQuantity, type InvoiceLine } from '../src/domain/invoice.js';
import type { OrderLineInput } from '../src/contracts/order.js';

type Tx = Transaction<Database>;

/** Moves `delta` pieces of `sku` into (or out of) the invoice's reservation and the stock's reserved count. */
async function adjustReservation(trx: Tx, invoiceId: string, sku: string, current: number, target: number): Promise<void> {
  if (target === current) return;
  if (target === 0) {
    await trx.deleteFrom('reservations').where('invoice_id', '=', invoiceId).where('sku', '=', sku).execute();
  } else {
    await trx
      .insertInto('reservations')
      .values({ invoice_id: invoiceId, sku, quantity: target })
      .onConflict((oc) => oc.columns(['invoice_id', 'sku']).doUpdateSet({ quantity: target }))
      .execute();
  }
  await trx
    .updateTable('stock')
    .set({ reserved: sql`reserved + ${target - current}`, updated_at: sql`now()` })
    .where('sku', '=', sku)
    .execute();
}

export function createReservationActivities({ db }: { db: Db }) {
  return {
    async reserveInvoiceLines({ invoiceId, lines }: { invoiceId: string; lines: OrderLineInput[] }): Promise<InvoiceLine[]> {
      return db.transaction().execute(async (trx) => {
        const held = await trx.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).forUpdate().execute();
        const heldBySku = new Map(held.map((r) => [r.sku, r.quantity]));
        const skus = [...new Set([...lines.map((l) => l.sku), ...heldBySku.keys()])].sort();
        if (skus.length === 0) return [];
        // Lock stock rows in one fixed order so concurrent invoices never deadlock.
        const stock = await trx.selectFrom('stock').select(['sku', 'on_hand', 'reserved']).where('sku', 'in', skus).orderBy('sku').forUpdate().execute();
        const stockBySku = new Map(stock.map((s) => [s.sku, s]));
        const products = await trx
          .selectFrom('products')
          .select(['sku', 'article', 'name', 'characteristic', 'price_kopecks', 'pieces_per_box'])
          .where('sku', 'in', skus)
          .execute();
        const productBySku = new Map(products.map((p) => [p.sku, p]));

        const checked: InvoiceLine[] = [];
        for (const { sku, quantity } of lines) {
          const product = productBySku.get(sku);
          const current = heldBySku.get(sku) ?? 0;
          if (!product) {
            checked.push({
              sku,
              article: sku,
              name: 'Неизвестный товар',
              characteristic: null,
              requested: quantity,
              approved: 0,
              priceKopecks: 0,
              piecesPerBox: 1,
              reason: 'unknown_sku',
            });
            continue;
          }
          const row = stockBySku.get(sku);
          const free = row ? row.on_hand - row.reserved + current : 0;
          const approved = approveQuantity(quantity, free);
          await adjustReservation(trx, invoiceId, sku, current, approved);
          heldBySku.delete(sku);
          checked.push({
            sku,
            article: product.article,
            name: product.name,
            characteristic: product.characteristic,
            requested: quantity,
            approved,
            priceKopecks: Number(product.price_kopecks),
            piecesPerBox: product.pieces_per_box,
            ...(approved < quantity ? { reason: 'out_of_stock' as const } : {}),
          });
        }
        // Desired state: whatever the invoice held but no longer lists is released.
        for (const [sku, current] of heldBySku) await adjustReservation(trx, invoiceId, sku, current, 0);
        return checked;
      });
    },

    async releaseInvoiceReservations({ invoiceId }: { invoiceId: string }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const held = await trx.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).orderBy('sku').forUpdate().execute();
        for (const r of held) await adjustReservation(trx, invoiceId, r.sku, r.quantity, 0);
      });
    },
  };
}
