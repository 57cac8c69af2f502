import type { Insertable, Selectable } from 'kysely';
import type { InvoiceEvent, InvoiceState } from '../core/contracts/invoice.js';
import type { OrderLineInput } from '../core/contracts/order.js';
import { invoiceTotal, type InvoiceStatus } from '../core/domain/invoice.js';
import type { Db } from './database.js';
import { appendEvents, invoiceEvent } from './outbox.repository.js';
import { reserveLinesIn, type Tx } from './stock.repository.js';
import type { InvoicesTable } from './schema.js';

/**
 * The invoices read model: the invoice workflow owns the state and projects every version here
 * (toRow); the API reads it back (toState). Both directions of the mapping live in this file.
 */

/** Whose invoices a caller may see: a customer its own company's, a manager its customers'. */
export type Visibility = { customerId: string } | { managerEmail: string } | 'all';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toRow(state: InvoiceState): Insertable<InvoicesTable> {
  return {
    id: state.id,
    number: state.number,
    customer_id: state.customerId,
    order_id: state.orderId,
    status: state.status,
    version: state.version,
    lines: JSON.stringify(state.lines),
    total_kopecks: invoiceTotal(state.lines),
    confirmed_at: state.confirmedAt,
    expires_at: state.expiresAt,
    merged_into: state.mergedInto,
    boxes: state.boxes ? JSON.stringify(state.boxes) : null,
    realization_id: state.realization?.id ?? null,
    realization_number: state.realization?.number ?? null,
    merged_from: state.mergedFrom ? JSON.stringify(state.mergedFrom) : null,
    created_at: state.createdAt,
  };
}

function toState(r: Selectable<InvoicesTable>): InvoiceState {
  return {
    id: r.id,
    number: r.number,
    customerId: r.customer_id,
    orderId: r.order_id,
    status: r.status,
    lines: r.lines,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    confirmedAt: iso(r.confirmed_at),
    expiresAt: iso(r.expires_at),
    mergedInto: r.merged_into,
    boxes: r.boxes,
    realization: r.realization_id && r.realization_number ? { id: r.realization_id, number: r.realization_number } : null,
    mergedFrom: r.merged_from,
  };
}

function visible(db: Db, who: Visibility) {
  let q = db.selectFrom('invoices').selectAll('invoices');
  if (who === 'all') return q;
  if ('customerId' in who) return q.where('invoices.customer_id', '=', who.customerId);
  q = q.where('invoices.customer_id', 'in', (eb) =>
    eb
      .selectFrom('customers')
      .select('customers.id')
      .where((e) => e(e.fn('lower', ['customers.manager_email']), '=', who.managerEmail.toLowerCase())),
  );
  return q;
}

export async function findInvoice(db: Db, id: string, who: Visibility): Promise<InvoiceState | undefined> {
  const row = await visible(db, who).where('invoices.id', '=', id).executeTakeFirst();
  return row ? toState(row) : undefined;
}

export async function listInvoices(
  db: Db,
  who: Visibility,
  opts: { statuses?: InvoiceStatus[]; limit: number; after?: { createdAt: string; id: string } },
): Promise<InvoiceState[]> {
  let q = visible(db, who).orderBy('invoices.created_at', 'desc').orderBy('invoices.id', 'desc').limit(opts.limit);
  if (opts.statuses?.length) q = q.where('invoices.status', 'in', opts.statuses);
  const after = opts.after;
  // A row comparison, so the index (customer_id, created_at desc, id desc) starts at the cursor;
  // the same condition spelt with OR is only a filter, and a deep page read every newer row.
  if (after) q = q.where((eb) => eb(eb.refTuple('invoices.created_at', 'invoices.id'), '<', eb.tuple(new Date(after.createdAt), after.id)));
  return (await q.execute()).map(toState);
}

export async function invoiceHistory(db: Db, id: string): Promise<InvoiceEvent[]> {
  const rows = await db.selectFrom('invoice_events').selectAll().where('invoice_id', '=', id).orderBy('seq').execute();
  return rows.map((r) => ({
    at: r.at.toISOString(),
    actor: { type: r.actor_type as InvoiceEvent['actor']['type'], id: r.actor_id },
    action: r.action,
    fromStatus: r.from_status as InvoiceStatus | null,
    toStatus: r.to_status as InvoiceStatus,
    details: r.details,
  }));
}

/**
 * Upserts the read model and appends the event to the history, in one transaction; a stale
 * (lower-version) write, e.g. a late retry, changes nothing.
 */
export function projectInvoice(db: Db, state: InvoiceState, event: InvoiceEvent | null): Promise<void> {
  return db.transaction().execute((trx) => writeProjection(trx, state, event));
}

/**
 * An edit's one step: shrinks the invoice's reservations to its lines and writes the edited
 * invoice in the same transaction, so the stock and the read model move together (and in one
 * round trip from the workflow). Lines only shrink here, so every one is met in full.
 */
export async function shrinkReservationsAndProject(db: Db, lines: OrderLineInput[], state: InvoiceState, event: InvoiceEvent): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await reserveLinesIn(trx, state.id, lines);
    await writeProjection(trx, state, event);
  });
}

async function writeProjection(trx: Tx, state: InvoiceState, event: InvoiceEvent | null): Promise<void> {
  const row = toRow(state);
  await trx
    .insertInto('invoices')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ ...row, updated_at: new Date() })
        .where('invoices.version', '<', state.version),
    )
    .execute();
  if (event) {
    await trx
      .insertInto('invoice_events')
      .values({
        invoice_id: state.id,
        seq: state.version,
        at: event.at,
        actor_type: event.actor.type,
        actor_id: event.actor.id,
        action: event.action,
        from_status: event.fromStatus,
        to_status: event.toStatus,
        details: JSON.stringify(event.details),
      })
      .onConflict((oc) => oc.columns(['invoice_id', 'seq']).doNothing())
      .execute();
  }
  // Last: the ERP hears of the version in the transaction that writes it (once per version).
  await appendEvents(trx, invoiceEvent(state, event));
}

export async function findInvoiceStatus(db: Db, id: string): Promise<InvoiceStatus | undefined> {
  const row = await db.selectFrom('invoices').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status;
}
