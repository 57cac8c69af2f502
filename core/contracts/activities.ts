import type { NumberKind } from '../domain/numbering.js';
import type { InvoiceLine } from '../domain/invoice.js';
import type { Box } from '../domain/packing.js';
import type { EmailRequest } from './email.js';
import type { InvoiceEvent, InvoiceState } from './invoice.js';
import type { MergeStepCommand } from './merge.js';
import type { OrderLineInput, OrderProjection } from './order.js';
import type { WaitlistOffer } from './waitlist.js';

/**
 * Every activity the workflows call. Each is idempotent on a business key, so a retry converges
 * to the same effect.
 */
export interface Activities {
  /**
   * Sets the invoice's reservations to what stock allows for `lines` (desired state: SKUs not
   * listed are released) in one transaction, and returns the checked lines with prices. `claims`:
   * waitlist offers whose held pieces pass to this invoice in the same transaction.
   */
  reserveInvoiceLines(input: { invoiceId: string; lines: OrderLineInput[]; claims?: string[] }): Promise<InvoiceLine[]>;
  /** Drops every reservation of the invoice. */
  releaseInvoiceReservations(input: { invoiceId: string }): Promise<void>;
  /**
   * Before picking: pins the invoice's reservations so no stock cut can take them; refuses
   * (`invalid_transition`) when they no longer cover the approved lines.
   */
  pinInvoiceReservations(input: { invoiceId: string; lines: { sku: string; approved: number }[] }): Promise<void>;
  /** Allocates the entity's human number once; later calls return the same number. */
  allocateNumber(input: { kind: NumberKind; entityId: string; year: number }): Promise<string>;
  /** Writes the invoice read model (ignored when older than what is stored) and its audit event. */
  projectInvoice(input: { state: InvoiceState; event: InvoiceEvent | null }): Promise<void>;
  /** An edit in one step: reservations shrunk to `lines` and the edited invoice written, in one transaction. */
  shrinkAndProjectInvoice(input: { lines: OrderLineInput[]; state: InvoiceState; event: InvoiceEvent }): Promise<void>;
  projectOrder(input: OrderProjection): Promise<void>;
  /** False once the read model shows the invoice finished; true while it is not written yet. */
  isInvoiceOpen(input: { invoiceId: string }): Promise<boolean>;
  sendEmail(input: EmailRequest): Promise<void>;
  /** What the invoice holds right now, by SKU (a stock correction may have cut it). */
  getInvoiceReservations(input: { invoiceId: string }): Promise<Record<string, number>>;
  /**
   * Ships the invoice: its reservations leave stock (on hand and reserved both drop) and the
   * realization is written, once; a retry returns the realization already written.
   */
  commitShipment(input: ShipmentInput): Promise<void>;
  /** Sends one merge step to an invoice's workflow and returns its state (see MergeStep). */
  sendMergeStep(input: { invoiceId: string } & MergeStepCommand): Promise<InvoiceState>;
  /** Moves the sources' reservations to the new invoice in one transaction, recording what moved. */
  moveReservations(input: { mergeId: string; fromInvoiceIds: string[]; toInvoiceId: string }): Promise<void>;
  /** Gives every recorded move of the merge back to its source. */
  restoreReservations(input: { mergeId: string }): Promise<void>;
  /**
   * Sets a SKU's on-hand stock; when it falls below what is reserved, cuts reservations (invoices
   * waiting on the customer first, newest first; pinned ones never). Returns the invoices it cut,
   * once per correction.
   */
  correctStock(input: { correctionId: string; sku: string; onHand: number }): Promise<{ affectedInvoiceIds: string[] }>;
  /**
   * Documents: makes the requested document's file and stores its bytes in PostgreSQL (status
   * ready), once; returns only the file name — bytes never travel through Temporal.
   */
  generateDocument(input: { documentId: string; number?: string }): Promise<{ fileName: string }>;
  /** Marks a pending document failed with the reason the customer sees. */
  markDocumentFailed(input: { documentId: string; error: string }): Promise<void>;
  /**
   * One pass over a SKU's waitlist in one transaction: lapsed holds released, expired places
   * dropped, free stock offered in the order asked. Returns the standing offers and when the line next
   * needs a look (null: nobody left in line).
   */
  offerWaitlist(input: { sku: string; holdMs: number }): Promise<{ offers: WaitlistOffer[]; waiting: number; nextAt: string | null }>;
}

export interface ShipmentInput {
  invoiceId: string;
  customerId: string;
  realizationId: string;
  realizationNumber: string;
  shippedAt: string;
  lines: InvoiceLine[];
  boxes: Box[];
}
