import { defineQuery } from '@temporalio/workflow';
import type { InvoiceLine, InvoiceStatus } from '../domain/invoice.js';
import type { Box } from '../domain/packing.js';
import type { WorkflowSettings } from './settings.js';

/** JSON-only snapshot of an invoice: the workflow's state, the read model row and the query answer. */
export interface InvoiceState {
  id: string;
  number: string;
  customerId: string;
  orderId: string | null;
  status: InvoiceStatus;
  lines: InvoiceLine[];
  version: number;
  createdAt: string;
  confirmedAt: string | null;
  expiresAt: string | null;
  mergedInto: string | null;
  /** Set when assembled: what the warehouse packed, box by box. */
  boxes: Box[] | null;
  /** Set when shipped. */
  realization: { id: string; number: string } | null;
  /** The merge (its new invoice's id) holding this invoice; every other command waits it out. */
  lockedBy?: string | null;
  /** The status to return to if a merge into `mergedInto` is undone. */
  statusBeforeMerge?: InvoiceStatus | null;
  /** For an invoice made by merging: the invoices it was made from. */
  mergedFrom?: string[] | null;
}

export type ActorType = 'customer' | 'manager' | 'warehouse' | 'admin' | 'system';
export interface Actor {
  type: ActorType;
  id: string;
}
export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'system' };

/** One line of the invoice's audit trail. */
export interface InvoiceEvent {
  at: string;
  actor: Actor;
  action: string;
  fromStatus: InvoiceStatus | null;
  toStatus: InvoiceStatus;
  details: Record<string, unknown>;
}

export interface InvoiceWorkflowInput {
  state: InvoiceState;
  settings: WorkflowSettings;
  /** False on the first run; true after continue-as-new, when creation effects are already done. */
  continued?: boolean;
  /** Which email announces the new invoice: a new order's invoice or a merge's. */
  announced?: 'created' | 'merged';
  /** Request ids already applied, with the version they produced (idempotency across runs). */
  processedRequests?: [string, number][];
  /** The expiresAt a reminder was already sent for. */
  remindedFor?: string | null;
}

export const getInvoiceQuery = defineQuery<InvoiceState>('getInvoice');
