/**
 * Business events for the ERP (1C): published through the transactional outbox, read as the feed
 * (GET /v1/events) and delivered to webhooks. A `type` never changes meaning: a payload change
 * that is not additive gets a new version (`.v2`), published alongside the old one for a while.
 */
export const EVENT_TYPES = [
  'invoice.confirmed.v1',
  'invoice.changed.v1',
  'invoice.shipped.v1',
  'invoice.deleted.v1',
  'realization.created.v1',
  'payment.recorded.v1',
  'payment_order.uploaded.v1',
  'document.ready.v1',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What an event is about; events of one aggregate are delivered in their feed order. */
export type AggregateType = 'invoice' | 'customer';

/** The envelope the feed returns and webhooks receive (the body a signature covers). */
export interface EventEnvelope {
  /** Stable across redeliveries: a receiver drops an id it has already processed. */
  id: string;
  /** Position in the feed; `GET /v1/events?after=<seq>` continues after it. */
  seq: number;
  type: EventType;
  occurredAt: string;
  aggregate: { type: AggregateType; id: string };
  data: Record<string, unknown>;
}
