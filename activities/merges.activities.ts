import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { invoiceWorkflowId } from '../src/contracts/ids.js';
import type { InvoiceState } from '../src/contracts/invoice.js';
import { mergeStepUpdate, type MergeStepCommand } from '../src/contracts/merge.js';

export function createMergeActivities({ db, temporal }: { db: Db; temporal: Client }) {
  return {
    /**
     * Workflows cannot send updates to each other, so the merge saga sends its steps from here.
     * The update id makes a retried step a no-op; a refusal is passed on as the same business failure.
     */
    async sendMergeStep({ invoiceId, ...step }: { invoiceId: string } & MergeStepCommand): Promise<InvoiceState> {
      try {
        return await temporal.workflow
          .getHandle(invoiceWorkflowId(invoiceId))
          .executeUpdate(mergeStepUpdate, { args: [step], updateId: `merge/${step.mergeId}/${step.step}` });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw ApplicationFailure.nonRetryable(`Счёт ${invoiceId} уже удалён`, 'invalid_transition');
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type);
        }
        throw err;
      }
    },

    async moveReservations({ mergeId, fromInvoiceIds, toInvoiceId }: { mergeId: string; fromInvoiceIds: string[]; toInvoiceId: string }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const moved = await trx.selectFrom('merge_moves').select('merge_id').where('merge_id', '=', mergeId).limit(1).executeTakeFirst();
        if (moved) return;
        const held = await trx
          .selectFrom('reservations')
          .select(['invoice_id', 'sku', 'quantity'])
          .where('invoice_id', 'in', fromInvoiceIds)
          .orderBy('sku')
          .forUpdate()
          .execute();
        if (held.length === 0) return;
        await trx
          .insertInto('merge_moves')
          .values(held.map((h) => ({ merge_id: mergeId, source_invoice_id: h.invoice_id, sku: h.sku, quantity: h.quantity })))
          .execute();
        await trx.deleteFrom('reservations').where('invoice_id', 'in', fromInvoiceIds).execute();
        // stock.reserved does not change: the same pieces stay held, by another invoice.
        for (const [sku, quantity] of sumBySku(held)) {
          await trx
            .insertInto('reservations')
            .values({ invoice_id: toInvoiceId, sku, quantity })
            .onConflict((oc) => oc.columns(['invoice_id', 'sku']).doUpdateSet({ quantity: sql`reservations.quantity + ${quantity}` }))
            .execute();
        }
      });
    },

    async restoreReservations({ mergeId }: { mergeId: string }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const moves = await trx.selectFrom('merge_moves').selectAll().where('merge_id', '=', mergeId).orderBy('sku').forUpdate().execute();
        if (moves.length === 0) return;
        await trx.deleteFrom('reservations').where('invoice_id', '=', mergeId).execute();
        await trx
          .insertInto('reservations')
          .values(moves.map((m) => ({ invoice_id: m.source_invoice_id, sku: m.sku, quantity: m.quantity })))
          .execute();
        await trx.deleteFrom('merge_moves').where('merge_id', '=', mergeId).execute();
      });
    },
  };
}

function sumBySku(rows: { sku: string; quantity: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.sku, (totals.get(r.sku) ?? 0) + r.quantity);
  return totals;
}
