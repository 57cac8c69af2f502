import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import { lockInvoicesAndStock, setReservation } from '../db/stock.repository.js';
import { approveQuantity, type InvoiceLine } from '../core/domain/invoice.js';
import type { OrderLineInput } from '../core/contracts/order.js';

export function createReservationActivities({ db }: { db: Db }) {
  return {
    async reserveInvoiceLines({ invoiceId, lines }: { invoiceId: string; lines: OrderLineInput[] }): Promise<InvoiceLine[]> {
      return db.transaction().execute(async (trx) => {
        const { held, stock } = await lockInvoicesAndStock(trx, [invoiceId], lines.map((l) => l.sku));
        const heldBySku = new Map(held.map((r) => [r.sku, r.quantity]));
        const skus = [...new Set(lines.map((l) => l.sku))];
        const products = skus.length
          ? await trx
              .selectFrom('products')
              .select(['sku', 'article', 'name', 'characteristic', 'price_kopecks', 'pieces_per_box'])
              .where('sku', 'in', skus)
              .execute()
          : [];
        const productBySku = new Map(products.map((p) => [p.sku, p]));

        const checked: InvoiceLine[] = [];
        for (const { sku, quantity } of lines) {
          const product = productBySku.get(sku);
          const current = heldBySku.get(sku) ?? 0;
          heldBySku.delete(sku);
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
          const row = stock.get(sku);
          const free = row ? row.on_hand - row.reserved + current : 0;
          const approved = approveQuantity(quantity, free);
          await setReservation(trx, invoiceId, sku, approved);
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
        for (const sku of heldBySku.keys()) await setReservation(trx, invoiceId, sku, 0);
        return checked;
      });
    },

    async releaseInvoiceReservations({ invoiceId }: { invoiceId: string }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { held } = await lockInvoicesAndStock(trx, [invoiceId]);
        for (const r of held) await setReservation(trx, invoiceId, r.sku, 0);
      });
    },

    /**
     * Pins the invoice's reservations before its goods are picked, so no stock cut can take them
     * any more; refuses when they no longer cover the approved lines (a cut landed first, and its
     * signal is on its way to the invoice).
     */
    async pinInvoiceReservations({ invoiceId, lines }: { invoiceId: string; lines: { sku: string; approved: number }[] }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { held } = await lockInvoicesAndStock(trx, [invoiceId]);
        const have = new Map(held.map((h) => [h.sku, h.quantity]));
        const short = lines.filter((l) => l.approved > 0 && (have.get(l.sku) ?? 0) < l.approved).map((l) => l.sku);
        if (short.length) {
          throw ApplicationFailure.nonRetryable(
            `Остаток по ${short.join(', ')} уменьшился: счёт возвращается клиенту на подтверждение`,
            'invalid_transition',
          );
        }
        await trx.updateTable('reservations').set({ pinned: true }).where('invoice_id', '=', invoiceId).where('pinned', '=', false).execute();
      });
    },
  };
}
