import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import { moveReservations, restoreReservations } from '../db/stock.repository.js';
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

    async moveReservations(input: { mergeId: string; fromInvoiceIds: string[]; toInvoiceId: string }): Promise<void> {
      await moveReservations(db, input);
    },

    async restoreReservations({ mergeId }: { mergeId: string }): Promise<void> {
      await restoreReservations(db, mergeId);
    },
  };
}
