import type { NumberKind } from '../domain/numbering.js';
import type { InvoiceLine } from '../domain/invoice.js';
import type { EmailRequest } from './email.js';
import type { InvoiceEvent, InvoiceState } from './invoice.js';
import type { OrderLineInput, OrderProjection } from './order.js';

/**
 * Every activity the workflows call. Each is idempotent on a business key, so a retry converges
 * to the same effect.
 */
export interface Activities {
  /**
   * Sets the invoice's reservations to what stock allows for `lines` (desired state: SKUs not
   * listed are released) in one transaction, and returns the checked lines with prices.
   */
  reserveInvoiceLines(input: { invoiceId: string; lines: OrderLineInput[] }): Promise<InvoiceLine[]>;
  /** Drops every reservation of the invoice. */
  releaseInvoiceReservations(input: { invoiceId: string }): Promise<void>;
  /** Allocates the entity's human number once; later calls return the same number. */
  allocateNumber(input: { kind: NumberKind; entityId: string; year: number }): Promise<string>;
  /** Writes the invoice read model (ignored when older than what is stored) and its audit event. */
  projectInvoice(input: { state: InvoiceState; event: InvoiceEvent | null }): Promise<void>;
  projectOrder(input: OrderProjection): Promise<void>;
  sendEmail(input: EmailRequest): Promise<void>;
}
