import { getExternalWorkflowHandle, log, patched, sleep } from '@temporalio/workflow';
import { invoiceWorkflowId } from '../core/contracts/ids.js';
import { reservationsCutSignal } from '../core/contracts/invoice-messages.js';
import { db } from './activities.js';

/** How long a cut waits for an invoice that holds stock but whose workflow is not started yet. */
const NEWBORN_RETRIES = 30;

/**
 * stock/<correctionId>: sets a SKU's on-hand stock and tells every invoice whose reservation it cut.
 * A workflow, so the invoices hear about the cut even if the API process dies right after the
 * database commit.
 */
export async function stockCorrectionWorkflow(input: { correctionId: string; sku: string; onHand: number }): Promise<{ affectedInvoiceIds: string[] }> {
  const result = await db.correctStock.executeWithOptions({ summary: `set ${input.sku} on hand to ${input.onHand}` }, [input]);
  const retryNewborn = patched('cut-waits-for-new-invoices');
  for (const invoiceId of result.affectedInvoiceIds) {
    for (let attempt = 1; ; attempt++) {
      try {
        await getExternalWorkflowHandle(invoiceWorkflowId(invoiceId)).signal(reservationsCutSignal, { correctionId: input.correctionId, sku: input.sku });
        break;
      } catch (err) {
        // An invoice being created (by an order or a merge) holds stock a moment before its
        // workflow starts, and must hear of the cut once it runs. A finished one holds nothing
        // any more: nobody to tell.
        const open = retryNewborn && attempt < NEWBORN_RETRIES && (await db.isInvoiceOpen({ invoiceId }));
        if (!open) {
          log.warn('invoice not signalled', { invoiceId, err });
          break;
        }
        await sleep('1s');
      }
    }
  }
  return result;
}
