// Russian customer and manager emails: which kinds are status emails, and the renderer for each
// kind. The emails of each family live in templates/.
import type { EmailKind, EmailRequest } from '../../core/contracts/email.js';
import { renderDocumentFailed, renderDocumentReady } from './templates/documents.js';
import { renderInvoiceCreated, renderInvoiceExpired, renderInvoiceExpiring, renderInvoiceStatus } from './templates/invoice.js';
import { assertNever, type RenderContext, type RenderedEmail } from './templates/layout.js';
import { renderOrderPlaced } from './templates/order.js';
import { renderPaymentOrder } from './templates/payment-order.js';
import { renderWaitlistOffer } from './templates/waitlist.js';

/**
 * Which kinds are order/invoice status emails: the customer's notifications switch turns them
 * off. Documents the customer asks for explicitly are not status emails and are always sent.
 * A `Record` over every kind, so adding a kind without deciding here does not compile.
 */
const STATUS_EMAIL: Record<EmailKind, boolean> = {
  order_placed: true,
  invoice_created: true,
  invoice_status: true,
  invoice_expiring: true,
  invoice_expired: true,
  // Requested documents and payment orders are not status emails: always sent.
  document_ready: false,
  document_failed: false,
  payment_order: false,
  // The customer asked to be told ("сообщить о поступлении"): always sent.
  waitlist_offer: false,
};

export function isStatusEmail(kind: EmailKind): boolean {
  return STATUS_EMAIL[kind];
}

/** Renders the Russian subject, plain text and HTML of an email. Pure: same input, same output. */
export function renderEmail(request: EmailRequest, ctx: RenderContext): RenderedEmail {
  switch (request.kind) {
    case 'order_placed':
      return renderOrderPlaced(request.orderId, request.lines, ctx);
    case 'invoice_created':
      return renderInvoiceCreated(request.invoice, ctx);
    case 'invoice_status':
      return renderInvoiceStatus(request, ctx);
    case 'invoice_expiring':
      return renderInvoiceExpiring(request.invoice, ctx);
    case 'invoice_expired':
      return renderInvoiceExpired(request.invoice, ctx);
    case 'document_failed':
      return renderDocumentFailed(request, ctx);
    case 'document_ready':
      return renderDocumentReady(request, ctx);
    case 'payment_order':
      return renderPaymentOrder(request, ctx);
    case 'waitlist_offer':
      return renderWaitlistOffer(request, ctx);
    default:
      return assertNever(request);
  }
}
