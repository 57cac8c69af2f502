import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WarehouseStatus } from '../domain/invoice.js';
import type { ChangeAnswer } from '../domain/line-changes.js';
import type { QuantityChange } from '../domain/lines.js';
import type { Box } from '../domain/packing.js';
import type { Actor, InvoiceState } from './invoice.js';

/** Common to every customer or staff command sent to an invoice. */
export interface InvoiceCommand {
  actor: Actor;
  /** `If-Match` from the API: refused with version_conflict when the invoice moved on. */
  expectedVersion?: number;
  /** `Idempotency-Key` (or a generated id): a repeated command answers without redoing the work. */
  requestId: string;
}

export interface EditLines extends InvoiceCommand {
  lines: QuantityChange[];
  /** Add items only: waitlist offers whose held pieces pass to this invoice. */
  claims?: string[];
}

export interface ManagerAdjustment extends InvoiceCommand {
  lines: { sku: string; quantity?: number; priceKopecks?: number }[];
  comment: string;
}

export interface ChangeAnswers extends InvoiceCommand {
  lines: { sku: string; answer: ChangeAnswer }[];
}

export interface WarehouseStep extends InvoiceCommand {
  status: WarehouseStatus;
  boxes?: Box[];
}

/** Customer: change quantities or remove lines → draft. */
export const editInvoiceUpdate = defineUpdate<InvoiceState, [EditLines]>('editInvoice');
/** Customer: send for confirmation (re-check every line) → confirmed; from changed: accept the changes. */
export const submitInvoiceUpdate = defineUpdate<InvoiceState, [InvoiceCommand]>('submitInvoice');
/** Customer: send for shipment (only from confirmed) → shipment_confirmed, locked. */
export const shipInvoiceUpdate = defineUpdate<InvoiceState, [InvoiceCommand]>('shipInvoice');
/** Customer: delete now, releasing stock. */
export const cancelInvoiceUpdate = defineUpdate<InvoiceState, [InvoiceCommand]>('cancelInvoice');
/** Customer: answer a change line by line (accept or remove each changed line) → confirmed. */
export const answerChangesUpdate = defineUpdate<InvoiceState, [ChangeAnswers]>('answerChanges');
/** Customer: add cart items (same SKU sums up), re-check → confirmed. */
export const addItemsUpdate = defineUpdate<InvoiceState, [EditLines]>('addItems');
/** Manager: change quantities or prices with a comment → changed. */
export const adjustInvoiceUpdate = defineUpdate<InvoiceState, [ManagerAdjustment]>('adjustInvoice');
/** Warehouse: shipment_confirmed → to_warehouse → assembled → shipped. */
export const warehouseStepUpdate = defineUpdate<InvoiceState, [WarehouseStep]>('warehouseStep');
/** A stock correction cut this invoice's reservations: re-read them and show the cut → changed. */
export const reservationsCutSignal = defineSignal<[{ correctionId: string; sku: string }]>('reservationsCut');
