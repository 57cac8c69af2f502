import type { InvoiceStatus } from '../domain/invoice.js';
import type { InvoiceState } from './invoice.js';
import type { OrderLineInput } from './order.js';

/**
 * What the workflows ask to send; the activity renders the Russian text. `key` makes the send
 * happen once (sent-log row + provider idempotency key). Status emails obey the customer's
 * notifications switch; requested documents do not.
 */
export type EmailRequest =
  | { key: string; kind: 'order_placed'; customerId: string; orderId: string; lines: OrderLineInput[] }
  | { key: string; kind: 'invoice_created'; customerId: string; invoice: InvoiceState }
  | {
      key: string;
      kind: 'invoice_status';
      customerId: string;
      invoice: InvoiceState;
      previousStatus: InvoiceStatus;
      /** Why it changed, when someone else changed it (a manager's comment, a stock correction). */
      reason?: string;
      /** Set when the invoice was shipped. */
      realizationNumber?: string;
    }
  | { key: string; kind: 'invoice_expiring'; customerId: string; invoice: InvoiceState }
  | { key: string; kind: 'invoice_expired'; customerId: string; invoice: InvoiceState }
  /** A requested document is ready: sent to the customer with the file attached (loaded by id). */
  | { key: string; kind: 'document_ready'; customerId: string; documentId: string; title: string; fileName: string }
  | { key: string; kind: 'document_failed'; customerId: string; documentId: string; title: string; reason: string }
  /** A customer uploaded a payment order: sent to the customer's manager with the file attached. */
  | { key: string; kind: 'payment_order'; customerId: string; paymentOrderId: string; fileName: string }
  /** A SKU the customer waited for came in: `held` pieces kept for them until `holdUntil`. */
  | { key: string; kind: 'waitlist_offer'; customerId: string; entryId: string; sku: string; name: string; held: number; holdUntil: string };

export type EmailKind = EmailRequest['kind'];
