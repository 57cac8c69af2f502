import type { Selectable } from 'kysely';
import type { InvoiceEvent, InvoiceState } from '../core/contracts/invoice.js';
import type { InvoiceStatus } from '../core/domain/invoice.js';
import type { Db } from './database.js';
import type { InvoicesTable } from './schema.js';

/** Whose invoices a caller may see: a customer its own company's, a manager its customers'. */
export type Visibility = { customerId: string } | { managerEmail: string } | 'all';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

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
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('invoices.created_at', '<', new Date(after.createdAt)),
        eb.and([eb('invoices.created_at', '=', new Date(after.createdAt)), eb('invoices.id', '<', after.id)]),
      ]),
    );
  }
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
