import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { invoiceWorkflowId } from '../src/contracts/ids.js';
import { reservationsCutSignal } from '../src/contracts/invoice-messages.js';
import { db } from './activities.js';

/**
 * stock/<correctionId>: sets a SKU's on-hand stock and tells every invoice whose reservation it cut.
 * A workflow, so the invoices hear about the cut even if the API process dies right after the
 * database commit.
 */
export async function stockCorrectionWorkflow(input: { correctionId: string; sku: string; onHand: number }): Promise<{ affectedInvoiceIds: string[] }> {
  const result = await db.correctStock.executeWithOptions({ summary: `set ${input.sku} on hand to ${input.onHand}` }, [input]);
  for (const invoiceId of result.affectedInvoiceIds) {
    try {
      await getExternalWorkflowHandle(invoiceWorkflowId(invoiceId)).signal(reservationsCutSignal, { correctionId: input.correctionId, sku: input.sku });
    } catch (err) {
      // A finished invoice (deleted meanwhile) holds nothing any more: nobody to tell.
      log.warn('invoice not signalled', { invoiceId, err });
    }
  }
  return result;
}
