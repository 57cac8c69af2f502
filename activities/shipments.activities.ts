import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { ShipmentInput } from '../src/contracts/activities.js';
import { ApplicationFailure } from '@temporalio/common';
import { cutPriority, invoiceTotal } from '../src/domain/invoice.js';

export function createShipmentActivities({ db }: { db: Db }) {
  return {
    async getInvoiceReservations({ invoiceId }: { invoiceId: string }): Promise<Record<string, number>> {
      const rows = await db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).execute();
      return Object.fromEntries(rows.map((r) => [r.sku, r.quantity]));
    },

    async commitShipment(input: ShipmentInput): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const done = await trx.selectFrom('realizations').select('id').where('invoice_id', '=', input.invoiceId).executeTakeFirst();
        if (done) return;
        const held = await trx
          .selectFrom('reservations')
          .select(['sku', 'quantity'])
          .where('invoice_id', '=', input.invoiceId)
          .orderBy('sku')
          .forUpdate()
          .execute();
        for (const r of held) {
          await trx
            .updateTable('stock')
            .set({ on_hand: sql`on_hand - ${r.quantity}`, reserved: sql`reserved - ${r.quantity}`, updated_at: sql`now()` })
            .where('sku', '=', r.sku)
            .execute();
        }
        await trx.deleteFrom('reservations').where('invoice_id', '=', input.invoiceId).execute();
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
        const done = await trx.selectFrom('stock_corrections').select('affected').where('id', '=', correctionId).executeTakeFirst();
        if (done) return { affectedInvoiceIds: done.affected };
        const stock = await trx.selectFrom('stock').select(['reserved']).where('sku', '=', sku).forUpdate().executeTakeFirst();
        let excess = (stock?.reserved ?? 0) - onHand;
        const affected: string[] = [];
        if (excess > 0) {
          const holders = await trx
            .selectFrom('reservations as r')
            .innerJoin('invoices as i', 'i.id', 'r.invoice_id')
            .select(['r.invoice_id', 'r.quantity', 'i.status', 'i.created_at'])
            .where('r.sku', '=', sku)
            .forUpdate('r')
            .execute();
          const cuttable = holders
            .map((h) => ({ ...h, priority: cutPriority(h.status) }))
            .filter((h): h is typeof h & { priority: number } => h.priority !== undefined)
            .sort((a, b) => a.priority - b.priority || b.created_at.getTime() - a.created_at.getTime());
          for (const h of cuttable) {
            if (excess <= 0) break;
            const cut = Math.min(excess, h.quantity);
            excess -= cut;
            affected.push(h.invoice_id);
            if (cut === h.quantity) {
              await trx.deleteFrom('reservations').where('invoice_id', '=', h.invoice_id).where('sku', '=', sku).execute();
            } else {
              await trx
                .updateTable('reservations')
                .set({ quantity: h.quantity - cut })
                .where('invoice_id', '=', h.invoice_id)
                .where('sku', '=', sku)
                .execute();
            }
            await trx
              .updateTable('stock')
              .set({ reserved: sql`reserved - ${cut}` })
              .where('sku', '=', sku)
              .execute();
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
