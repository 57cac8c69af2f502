import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { AggregateType, EventEnvelope, EventType } from '../core/contracts/events.js';
import type { InvoiceEvent, InvoiceState } from '../core/contracts/invoice.js';
import { invoiceTotal, type InvoiceLine, type InvoiceStatus } from '../core/domain/invoice.js';
import { formatRoubles } from '../core/domain/money.js';
import type { Db } from './database.js';
import type { OutboxEventsTable } from './schema.js';
import type { Tx } from './stock.repository.js';

/**
 * The transactional outbox: each event is appended in the transaction of the change it reports,
 * so it exists exactly when the change does. Its id is derived from a business key (the invoice's
 * version, the realization, the payment's reference...): an activity's retry, even one overlapping
 * the first attempt, appends nothing twice.
 */

export interface NewEvent {
  /** The business key the event id derives from; the same key is the same event. */
  key: string;
  type: EventType;
  aggregate: { type: AggregateType; id: string };
  data: Record<string, unknown>;
}

/** One lock for every appender: taken last in a transaction and held to its commit. */
const APPEND_LOCK = 0x6f7574626f78; // "outbox"

/** A UUID (version 8 layout) from the event's business key. */
export function eventIdOf(key: string): string {
  const hash = createHash('sha256').update(`outbox:${key}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x80;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Appends the events; call it as the transaction's last statement. The lock makes sequence numbers
 * follow commit order (a bigserial alone does not: a later commit could take a lower number), so a
 * feed reader that has seen `seq` never misses a smaller one committed afterwards. It is taken
 * after every other lock of the transaction and waits on nothing else: no deadlock cycle.
 */
export async function appendEvents(trx: Tx, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
  await trx
    .insertInto('outbox_events')
    .values(
      events.map((e) => ({
        id: eventIdOf(e.key),
        type: e.type,
        aggregate_type: e.aggregate.type,
        aggregate_id: e.aggregate.id,
        payload: JSON.stringify(e.data),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

const INVOICE_EVENT: Partial<Record<InvoiceStatus, EventType>> = {
  confirmed: 'invoice.confirmed.v1',
  changed: 'invoice.changed.v1',
  shipped: 'invoice.shipped.v1',
  deleted: 'invoice.deleted.v1',
};

export const linesData = (lines: readonly InvoiceLine[]) =>
  lines.map((l) => ({ sku: l.sku, article: l.article, name: l.name, requested: l.requested, approved: l.approved, price: formatRoubles(l.priceKopecks) }));

/** The outbox event of an invoice's new version, when its status is one the ERP follows. */
export function invoiceEvent(state: InvoiceState, event: InvoiceEvent | null): NewEvent[] {
  const type = INVOICE_EVENT[state.status];
  if (!type || !event) return [];
  return [
    {
      key: `invoice/${state.id}/v${state.version}`,
      type,
      aggregate: { type: 'invoice', id: state.id },
      data: {
        invoiceId: state.id,
        number: state.number,
        customerId: state.customerId,
        version: state.version,
        status: state.status,
        fromStatus: event.fromStatus,
        action: event.action,
        actor: event.actor,
        at: event.at,
        total: formatRoubles(invoiceTotal(state.lines)),
        lines: linesData(state.lines),
        expiresAt: state.expiresAt,
        realization: state.realization,
        ...(event.details.comment ? { comment: event.details.comment } : {}),
      },
    },
  ];
}

function toEnvelope(r: Selectable<OutboxEventsTable>): EventEnvelope {
  return {
    id: r.id,
    seq: Number(r.seq),
    type: r.type as EventType,
    occurredAt: r.created_at.toISOString(),
    aggregate: { type: r.aggregate_type as AggregateType, id: r.aggregate_id },
    data: r.payload,
  };
}

/** The feed: events after `after`, in sequence order. */
export async function readEvents(db: Db, after: number, limit: number): Promise<EventEnvelope[]> {
  const rows = await db.selectFrom('outbox_events').selectAll().where('seq', '>', String(after)).orderBy('seq').limit(limit).execute();
  return rows.map(toEnvelope);
}

export async function eventsBySeq(db: Db, seqs: readonly number[]): Promise<Map<number, EventEnvelope>> {
  if (seqs.length === 0) return new Map();
  const rows = await db.selectFrom('outbox_events').selectAll().where('seq', 'in', seqs.map(String)).execute();
  return new Map(rows.map((r) => [Number(r.seq), toEnvelope(r)]));
}
