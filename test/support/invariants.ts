import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { FakeResendRequest } from './fake-resend.js';

/**
 * The bookkeeping every fault case must leave behind, read straight from PostgreSQL. Each
 * returned string names one violation; an empty list means the books balance. Call it once the
 * system is quiet (no workflow mid-step), since a merge or a shipment moves rows in steps.
 */
export async function stockViolations(db: Db): Promise<string[]> {
  const found: string[] = [];
  const drift = await sql<{ sku: string; reserved: number; held: number }>`
    select s.sku, s.reserved, coalesce(sum(r.quantity), 0)::int as held
    from stock s left join reservations r on r.sku = s.sku
    group by s.sku, s.reserved
    having s.reserved <> coalesce(sum(r.quantity), 0)`.execute(db);
  for (const r of drift.rows) found.push(`stock ${r.sku}: reserved ${r.reserved}, reservations hold ${r.held}`);

  const bounds = await sql<{ sku: string; on_hand: number; reserved: number }>`
    select sku, on_hand, reserved from stock where reserved < 0 or on_hand < 0 or reserved > on_hand`.execute(db);
  for (const r of bounds.rows) found.push(`stock ${r.sku}: on hand ${r.on_hand}, reserved ${r.reserved} (available below zero)`);

  // Stock held by an invoice that can no longer use it is held for ever by nobody.
  // A waitlist hold is stock held for an offered entry, exactly what it says it holds.
  const orphans = await sql<{ invoice_id: string; sku: string; status: string | null }>`
    select r.invoice_id, r.sku, coalesce(i.status, w.status) as status from reservations r
    left join invoices i on i.id = r.invoice_id
    left join waitlist_entries w on w.id = r.invoice_id
    where (i.id is null and (w.id is null or w.status <> 'offered' or w.held <> r.quantity or w.sku <> r.sku))
       or i.status in ('deleted', 'shipped', 'marked_for_deletion')`.execute(db);
  for (const r of orphans.rows) found.push(`reservation of ${r.sku} by invoice ${r.invoice_id} in status ${r.status ?? 'unknown'}`);
  const holds = await sql<{ id: string; status: string; held: number; quantity: number | null }>`
    select w.id, w.status, w.held, r.quantity from waitlist_entries w left join reservations r on r.invoice_id = w.id
    where (w.status = 'offered' and (w.held <= 0 or coalesce(r.quantity, 0) <> w.held)) or (w.status <> 'offered' and (w.held <> 0 or r.invoice_id is not null))`.execute(
    db,
  );
  for (const h of holds.rows) found.push(`waitlist entry ${h.id} (${h.status}) says it holds ${h.held}, reservations hold ${h.quantity ?? 0}`);

  // An invoice's approved quantities are exactly what it holds while it can still ship.
  const lines = await sql<{ id: string; sku: string; approved: number; held: number }>`
    select i.id, l.sku, l.approved, coalesce(r.quantity, 0) as held
    from invoices i
    cross join lateral jsonb_to_recordset(i.lines) as l(sku text, approved int)
    left join reservations r on r.invoice_id = i.id and r.sku = l.sku
    where i.status in ('confirmed', 'changed', 'shipment_confirmed', 'to_warehouse', 'assembled')
      and l.approved <> coalesce(r.quantity, 0)`.execute(db);
  for (const r of lines.rows) found.push(`invoice ${r.id}: ${r.sku} approved ${r.approved}, held ${r.held}`);
  return found;
}

/** Orders acknowledged with 202 that have not (yet) reached an invoice. */
export async function ordersWithoutInvoice(db: Db, orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const rows = await db.selectFrom('orders').select(['id', 'status', 'invoice_id']).where('id', 'in', orderIds).execute();
  const invoiced = new Set(rows.filter((r) => r.status === 'invoiced' && r.invoice_id).map((r) => r.id));
  return orderIds.filter((id) => !invoiced.has(id));
}

/** Idempotency keys the provider accepted more than once (a doubled email). */
export function doubledEmails(requests: FakeResendRequest[]): string[] {
  const accepted = new Map<string, Set<string>>();
  for (const r of requests) {
    if (r.status >= 300 || !r.key) continue;
    const ids = accepted.get(r.key) ?? new Set<string>();
    ids.add(JSON.stringify(r.body));
    accepted.set(r.key, ids);
  }
  return [...accepted].filter(([, bodies]) => bodies.size > 1).map(([key]) => key);
}

/** Idempotency keys the provider delivered more than once (each delivery a distinct email sent). */
export function doubledDeliveries(requests: FakeResendRequest[]): string[] {
  const count = new Map<string, number>();
  for (const r of requests) if (r.delivered && r.key) count.set(r.key, (count.get(r.key) ?? 0) + 1);
  return [...count].filter(([, n]) => n > 1).map(([key, n]) => `${key} delivered ${n} times`);
}

/**
 * Effects that must happen once, read from PostgreSQL: numbers handed out without gaps or
 * repeats, one invoice per order, one realization per shipped invoice and none for others.
 */
export async function doubledEffects(db: Db): Promise<string[]> {
  const found: string[] = [];
  const numbers = await sql<{ number: string; n: number }>`
    select number, count(*)::int as n from invoices group by number having count(*) > 1`.execute(db);
  for (const r of numbers.rows) found.push(`invoice number ${r.number} used by ${r.n} invoices`);
  const perOrder = await sql<{ order_id: string; n: number }>`
    select order_id, count(*)::int as n from invoices where order_id is not null group by order_id having count(*) > 1`.execute(db);
  for (const r of perOrder.rows) found.push(`order ${r.order_id} became ${r.n} invoices`);
  // Numbers are sequential: a counter ahead of the numbers handed out means an allocation ran twice.
  const burnt = await sql<{ kind: string; year: number; last: number; used: number }>`
    select c.kind, c.year, c.last, count(d.entity_id)::int as used
    from number_counters c left join document_numbers d on d.kind = c.kind and d.year = c.year
    group by c.kind, c.year, c.last having c.last <> count(d.entity_id)`.execute(db);
  for (const r of burnt.rows) found.push(`${r.kind} numbers of ${r.year}: counter at ${r.last}, ${r.used} handed out`);
  const unshipped = await sql<{ id: string; status: string }>`
    select i.id, i.status from realizations r join invoices i on i.id = r.invoice_id where i.status <> 'shipped'`.execute(db);
  for (const r of unshipped.rows) found.push(`realization for invoice ${r.id} in status ${r.status}`);
  const missing = await sql<{ id: string }>`
    select i.id from invoices i left join realizations r on r.invoice_id = i.id where i.status = 'shipped' and r.id is null`.execute(db);
  for (const r of missing.rows) found.push(`shipped invoice ${r.id} without a realization`);
  return found;
}
