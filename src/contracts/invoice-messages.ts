import { defineUpdate } from '@temporalio/workflow';
import type { Actor, InvoiceState } from './invoice.js';

/** Common to every customer or staff command sent to an invoice. */
export interface InvoiceCommand {
  actor: Actor;
  /** `If-Match` from the API: refused with version_conflict when the invoice moved on. */
  expectedVersion?: number;
  /** `Idempotency-Key` (or a generated id): a repeated command answers without redoing the work. */
  requestId: string;
}

export const cancelInvoiceUpdate = defineUpdate<InvoiceState, [InvoiceCommand]>('cancelInvoice');
