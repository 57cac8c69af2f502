import { z } from '@hono/zod-openapi';
import { EVENT_TYPES } from '../core/contracts/events.js';
import { INVOICE_STATUSES } from '../core/domain/invoice.js';
import { Money } from './router.js';

/**
 * The published schema of the ERP events (component schemas in /openapi.json): the envelope and,
 * per versioned type, its `data`. Fields are only ever added to a version.
 */

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi('EventType', { description: 'versioned: a breaking change gets a new `.vN`' });

const EventLine = z.object({ sku: z.string(), article: z.string(), name: z.string(), requested: z.number().int(), approved: z.number().int(), price: Money });

const InvoiceEventData = z
  .object({
    invoiceId: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    version: z.number().int().openapi({ description: 'the invoice version this event reports; one event per version' }),
    status: z.enum(INVOICE_STATUSES),
    fromStatus: z.enum(INVOICE_STATUSES).nullable(),
    action: z.string(),
    actor: z.object({ type: z.string(), id: z.string() }),
    at: z.string(),
    total: Money,
    lines: z.array(EventLine),
    expiresAt: z.string().nullable(),
    realization: z.object({ id: z.uuid(), number: z.string() }).nullable(),
    comment: z.string().optional().openapi({ description: "the manager's comment on a change" }),
  })
  .openapi('InvoiceEventData');

const RealizationEventData = z
  .object({
    realizationId: z.uuid(),
    number: z.string(),
    invoiceId: z.uuid(),
    customerId: z.uuid(),
    shippedAt: z.string(),
    total: Money,
    lines: z.array(EventLine),
    boxes: z.array(z.object({ number: z.number().int(), lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })) })),
  })
  .openapi('RealizationEventData');

const PaymentEventData = z
  .object({ paymentId: z.uuid(), customerId: z.uuid(), amount: Money, paidAt: z.iso.date(), reference: z.string() })
  .openapi('PaymentEventData');

const PaymentOrderEventData = z
  .object({ paymentOrderId: z.uuid(), customerId: z.uuid(), fileName: z.string(), contentType: z.string(), size: z.number().int() })
  .openapi('PaymentOrderEventData');

const DocumentEventData = z
  .object({ documentId: z.uuid(), customerId: z.uuid(), type: z.string(), number: z.string().nullable(), fileName: z.string(), size: z.number().int() })
  .openapi('DocumentEventData');

const envelope = <T extends z.ZodType, D extends z.ZodType>(type: T, aggregate: 'invoice' | 'customer', data: D) =>
  z.object({
    id: z.uuid().openapi({ description: 'stable across redeliveries: deduplicate by it' }),
    seq: z.number().int().openapi({ description: 'feed position: GET /v1/events?after=<seq>' }),
    type,
    occurredAt: z.string(),
    aggregate: z.object({ type: z.literal(aggregate), id: z.string() }),
    data,
  });

export const EventSchema = z
  .union([
    envelope(z.enum(['invoice.confirmed.v1', 'invoice.changed.v1', 'invoice.shipped.v1', 'invoice.deleted.v1']), 'invoice', InvoiceEventData),
    envelope(z.literal('realization.created.v1'), 'invoice', RealizationEventData),
    envelope(z.literal('payment.recorded.v1'), 'customer', PaymentEventData),
    envelope(z.literal('payment_order.uploaded.v1'), 'customer', PaymentOrderEventData),
    envelope(z.literal('document.ready.v1'), 'customer', DocumentEventData),
  ])
  .openapi('Event', {
    description:
      'An ERP event: the body of a webhook request (signed: X-Webhook-Signature = sha256=HMAC-SHA256(secret, `${X-Webhook-Timestamp}.${body}`)) and an item of GET /v1/events.',
  });

export const DeliverySchema = z
  .object({
    id: z.string(),
    endpoint: z.string(),
    eventSeq: z.number().int(),
    eventId: z.uuid(),
    eventType: z.string(),
    aggregateId: z.string().openapi({ description: 'the invoice (or customer) whose later events wait while this one is not delivered' }),
    status: z.enum(['pending', 'delivered', 'dead', 'skipped']),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery');
