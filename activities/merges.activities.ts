import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import { lockInvoicesAndStock, setReservation } from '../db/stock.repository.js';
import { invoiceWorkflowId } from '../core/contracts/ids.js';
import type { InvoiceState } from '../core/contracts/invoice.js';
import { mergeStepUpdate, type MergeStepCommand } from '../core/contracts/merge.js';

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
    },

    /**
     * Gives every recorded move of the merge back to its source, as far as the new invoice still
     * holds it (a stock cut may have taken some since), source by source.
     */
    async restoreReservations({ mergeId }: { mergeId: string }): Promise<void> {
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
    },
  };
}

function sumBySku(rows: { sku: string; quantity: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.sku, (totals.get(r.sku) ?? 0) + r.quantity);
  return totals;
}
