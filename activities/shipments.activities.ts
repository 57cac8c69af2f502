import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { ShipmentInput } from '../core/contracts/activities.js';
import { ApplicationFailure } from '@temporalio/common';
import { cutPriority, invoiceTotal } from '../core/domain/invoice.js';
import { lockInvoicesAndStock, lockStock, setReservation } from '../db/stock.repository.js';

export function createShipmentActivities({ db }: { db: Db }) {
  return {
    async getInvoiceReservations({ invoiceId }: { invoiceId: string }): Promise<Record<string, number>> {
      const rows = await db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).execute();
      return Object.fromEntries(rows.map((r) => [r.sku, r.quantity]));
    },

    async commitShipment(input: ShipmentInput): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { held } = await lockInvoicesAndStock(trx, [input.invoiceId]);
        const done = await trx.selectFrom('realizations').select('id').where('invoice_id', '=', input.invoiceId).executeTakeFirst();
        if (done) return;
        // Reservations first (the trigger lowers reserved), then on hand: reserved never exceeds it.
        await trx.deleteFrom('reservations').where('invoice_id', '=', input.invoiceId).execute();
        for (const r of held) {
          await trx
            .updateTable('stock')
            .set({ on_hand: sql`on_hand - ${r.quantity}`, updated_at: sql`now()` })
            .where('sku', '=', r.sku)
            .execute();
        }
        const lines = input.lines.filter((l) => l.approved > 0);
        await trx
          .insertInto('realizations')
          .values({
            id: input.realizationId,
            invoice_id: input.invoiceId,
            number: input.realizationNumber,
            customer_id: input.customerId,
            shipped_at: input.shippedAt,
            lines: JSON.stringify(lines),
            boxes: JSON.stringify(input.boxes),
            total_kopecks: invoiceTotal(lines),
          })
          .execute();
      });
    },

    async correctStock({ correctionId, sku, onHand }: { correctionId: string; sku: string; onHand: number }): Promise<{ affectedInvoiceIds: string[] }> {
      return db.transaction().execute(async (trx) => {
        const stock = (await lockStock(trx, [sku])).get(sku);
        const done = await trx.selectFrom('stock_corrections').select('affected').where('id', '=', correctionId).executeTakeFirst();
        if (done) return { affectedInvoiceIds: done.affected };
        let excess = (stock?.reserved ?? 0) - onHand;
        const affected: string[] = [];
        if (excess > 0) {
          // Pinned (picked) reservations are never cut. The read model only orders the rest; an
          // invoice not projected yet (a merge in flight) counts as waiting on the customer.
          const holders = await trx
            .selectFrom('reservations as r')
            .leftJoin('invoices as i', 'i.id', 'r.invoice_id')
            .select(['r.invoice_id', 'r.quantity', 'r.created_at', 'i.status', 'i.created_at as invoice_created_at'])
            .where('r.sku', '=', sku)
            .where('r.pinned', '=', false)
            .execute();
          const cuttable = holders
            .map((h) => ({ ...h, priority: (h.status ? cutPriority(h.status) : undefined) ?? 0, at: (h.invoice_created_at ?? h.created_at).getTime() }))
            .sort((a, b) => a.priority - b.priority || b.at - a.at);
          for (const h of cuttable) {
            if (excess <= 0) break;
            const cut = Math.min(excess, h.quantity);
            excess -= cut;
            affected.push(h.invoice_id);
            await setReservation(trx, h.invoice_id, sku, h.quantity - cut);
          }
          if (excess > 0) {
            throw ApplicationFailure.nonRetryable(
              `Нельзя поставить остаток ${onHand} по ${sku}: ещё ${excess} шт. уже собраны или переданы на склад по счетам`,
              'invalid_stock',
            );
          }
        }
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
    },
  };
}
