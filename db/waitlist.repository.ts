import { sql } from 'kysely';
import type { WaitlistOffer as Offer } from '../core/contracts/waitlist.js';
import type { Db } from './database.js';
import type { WaitlistStatus } from './schema.js';
import { lockStock, setReservation, type Tx } from './stock.repository.js';

/**
 * The waitlist: places in line per SKU (`seq` is the order asked) and the holds offers make. A
 * hold is a reservation keyed by the entry's id, so it follows the stock rules (lock order: stock
 * row, then entries) and `stock.reserved` counts it. Only an entry in `offered` holds stock, and
 * every way out of `offered` (claimed, cancelled, lapsed, cut) gives the hold up in the same
 * transaction: no stock is held for nobody.
 */

export interface WaitlistEntry {
  id: string;
  customerId: string;
  sku: string;
  name: string;
  quantity: number;
  status: WaitlistStatus;
  held: number;
  holdUntil: string | null;
  waitUntil: string;
  /** The invoice the customer asked from, if any. */
  invoiceId: string | null;
  /** The invoice a claim put the held pieces into. */
  claimedInvoiceId: string | null;
  createdAt: string;
  /** Place in line among those still waiting or offered (1 = first); null once out of line. */
  position: number | null;
}

const ACTIVE: WaitlistStatus[] = ['waiting', 'offered'];

function entries(db: Db | Tx) {
  return db
    .selectFrom('waitlist_entries as w')
    .innerJoin('products as p', 'p.sku', 'w.sku')
    .select([
      'w.id',
      'w.customer_id',
      'w.sku',
      'p.name',
      'w.quantity',
      'w.status',
      'w.held',
      'w.hold_until',
      'w.wait_until',
      'w.invoice_id',
      'w.claimed_invoice_id',
      'w.created_at',
      sql<
        number | null
      >`case when w.status in ('waiting', 'offered') then (select count(*)::int from waitlist_entries e where e.sku = w.sku and e.status in ('waiting', 'offered') and e.seq <= w.seq) end`.as(
        'position',
      ),
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof entries>['executeTakeFirstOrThrow']>>;
const toEntry = (r: Row): WaitlistEntry => ({
  id: r.id,
  customerId: r.customer_id,
  sku: r.sku,
  name: r.name,
  quantity: r.quantity,
  status: r.status,
  held: r.held,
  holdUntil: r.hold_until?.toISOString() ?? null,
  waitUntil: r.wait_until.toISOString(),
  invoiceId: r.invoice_id,
  claimedInvoiceId: r.claimed_invoice_id,
  createdAt: r.created_at.toISOString(),
  position: r.position,
});

export async function listWaitlist(db: Db, customerId: string): Promise<WaitlistEntry[]> {
  const rows = await entries(db).where('w.customer_id', '=', customerId).orderBy('w.created_at', 'desc').limit(200).execute();
  return rows.map(toEntry);
}

export async function findWaitlistEntry(db: Db | Tx, id: string, customerId: string): Promise<WaitlistEntry | undefined> {
  const row = await entries(db).where('w.id', '=', id).where('w.customer_id', '=', customerId).executeTakeFirst();
  return row ? toEntry(row) : undefined;
}

/** A new place in line; `already` when this customer already waits for the SKU (one place each). */
export async function joinWaitlist(
  db: Db,
  entry: { id: string; customerId: string; sku: string; quantity: number; waitUntil: string; invoiceId: string | null },
): Promise<{ entry: WaitlistEntry } | { already: WaitlistEntry }> {
  const inserted = await db
    .insertInto('waitlist_entries')
    .values({
      id: entry.id,
      customer_id: entry.customerId,
      sku: entry.sku,
      quantity: entry.quantity,
      wait_until: entry.waitUntil,
      invoice_id: entry.invoiceId,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  // Inserted, or the same id again (a retry): that entry. Otherwise the one-place-per-SKU rule won.
  const mine = await findWaitlistEntry(db, inserted?.id ?? entry.id, entry.customerId);
  if (mine) return { entry: mine };
  const active = await entries(db)
    .where('w.customer_id', '=', entry.customerId)
    .where('w.sku', '=', entry.sku)
    .where('w.status', 'in', ACTIVE)
    .executeTakeFirstOrThrow();
  return { already: toEntry(active) };
}

/** Leaves the line; an offered entry's hold goes back to the stock. Undefined when not this customer's. */
export async function cancelWaitlistEntry(db: Db, id: string, customerId: string): Promise<{ entry: WaitlistEntry; released: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('waitlist_entries').select('sku').where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
    if (!found) return undefined;
    await lockStock(trx, [found.sku]);
    const row = await trx.selectFrom('waitlist_entries').select(['status', 'held']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    let released = 0;
    if (ACTIVE.includes(row.status)) {
      released = row.held;
      await setReservation(trx, id, found.sku, 0);
      await trx
        .updateTable('waitlist_entries')
        .set({ status: 'cancelled', held: 0, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    }
    return { entry: (await findWaitlistEntry(trx, id, customerId)) as WaitlistEntry, released };
  });
}

/**
 * One pass over a SKU's line, in one transaction: lapsed holds go back, expired places leave,
 * then the free stock is offered in the order asked (each offer holds up to what its entry wants
 * until `holdMs` from now; a partial offer is topped up before anyone behind it). Returns the standing offers and when the line next needs a look (a
 * hold or a wait running out), or null when nobody is in line any more.
 */
export async function offerWaitlist(db: Db, sku: string, holdMs: number): Promise<{ offers: Offer[]; waiting: number; nextAt: string | null }> {
  return db.transaction().execute(async (trx) => {
    await lockStock(trx, [sku]);
    const lapsed = await trx
      .selectFrom('waitlist_entries')
      .select(['id'])
      .where('sku', '=', sku)
      .where('status', '=', 'offered')
      .where('hold_until', '<=', sql<Date>`now()`)
      .forUpdate()
      .execute();
    for (const { id } of lapsed) {
      await setReservation(trx, id, sku, 0);
      await trx
        .updateTable('waitlist_entries')
        .set({ status: 'lapsed', held: 0, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    }
    await trx
      .updateTable('waitlist_entries')
      .set({ status: 'expired', updated_at: sql`now()` })
      .where('sku', '=', sku)
      .where('status', '=', 'waiting')
      .where('wait_until', '<=', sql<Date>`now()`)
      .execute();

    const stock = await trx.selectFrom('stock').select(['on_hand', 'reserved']).where('sku', '=', sku).executeTakeFirst();
    let free = stock ? stock.on_hand - stock.reserved : 0;
    if (free > 0) {
      // In the order asked: an offer that got less than it wants is topped up before anyone
      // behind it gets anything (its hold keeps its end), then those still waiting are offered.
      const line = await trx
        .selectFrom('waitlist_entries')
        .select(['id', 'quantity', 'status', 'held'])
        .where('sku', '=', sku)
        .where('status', 'in', ACTIVE)
        .where(sql<boolean>`held < quantity`)
        .orderBy('seq')
        .forUpdate()
        .execute();
      for (const w of line) {
        if (free <= 0) break;
        const more = Math.min(free, w.quantity - w.held);
        free -= more;
        await setReservation(trx, w.id, sku, w.held + more);
        await trx
          .updateTable('waitlist_entries')
          .set(
            w.status === 'offered'
              ? { held: w.held + more, updated_at: sql`now()` }
              : {
                  status: 'offered',
                  held: more,
                  offered_at: sql`now()`,
                  hold_until: sql`now() + ${`${holdMs} milliseconds`}::interval`,
                  updated_at: sql`now()`,
                },
          )
          .where('id', '=', w.id)
          .execute();
      }
    }
    // Every standing offer, not only this pass's: if an earlier attempt's answer was lost, its
    // offers are still emailed (the email's key, by hold, makes a repeat a no-op).
    const offered = await trx
      .selectFrom('waitlist_entries as w')
      .innerJoin('products as p', 'p.sku', 'w.sku')
      .select(['w.id', 'w.customer_id', 'p.name', 'w.held', 'w.hold_until'])
      .where('w.sku', '=', sku)
      .where('w.status', '=', 'offered')
      .orderBy('w.seq')
      .execute();
    const offers: Offer[] = offered.map((o) => ({
      entryId: o.id,
      customerId: o.customer_id,
      sku,
      name: o.name,
      held: o.held,
      holdUntil: (o.hold_until as Date).toISOString(),
    }));
    const next = await trx
      .selectFrom('waitlist_entries')
      .select([
        sql<Date | null>`min(case when status = 'offered' then hold_until else wait_until end)`.as('at'),
        sql<number>`count(*) filter (where status = 'waiting')::int`.as('waiting'),
      ])
      .where('sku', '=', sku)
      .where('status', 'in', ACTIVE)
      .executeTakeFirst();
    return { offers, waiting: next?.waiting ?? 0, nextAt: next?.at ? next.at.toISOString() : null };
  });
}

/**
 * Inside a reservation for `invoiceId` (after its stock rows are locked): the offered holds it
 * claims are given up and marked claimed by that invoice, so the same pieces pass from the hold
 * to the invoice in one transaction. Returns what each SKU released; a hold that lapsed or was
 * cancelled meanwhile releases nothing (the line then gets what is free).
 */
export async function claimHolds(trx: Tx, invoiceId: string, claims: readonly string[]): Promise<Map<string, number>> {
  const released = new Map<string, number>();
  if (claims.length === 0) return released;
  const offered = await trx
    .selectFrom('waitlist_entries')
    .select(['id', 'sku', 'held'])
    .where('id', 'in', [...claims])
    .where('status', '=', 'offered')
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const e of offered) {
    await setReservation(trx, e.id, e.sku, 0);
    await trx
      .updateTable('waitlist_entries')
      .set({ status: 'claimed', held: 0, claimed_invoice_id: invoiceId, updated_at: sql`now()` })
      .where('id', '=', e.id)
      .execute();
    released.set(e.sku, (released.get(e.sku) ?? 0) + e.held);
  }
  return released;
}

/** A stock cut took `quantity` of a hold: it holds the rest, or (nothing left) waits again, keeping its place. */
export async function cutHold(trx: Tx, entryId: string, quantity: number): Promise<void> {
  await trx
    .updateTable('waitlist_entries')
    .set(quantity > 0 ? { held: quantity, updated_at: sql`now()` } : { status: 'waiting', held: 0, offered_at: null, hold_until: null, updated_at: sql`now()` })
    .where('id', '=', entryId)
    .execute();
}

/**
 * SKUs where someone waits while stock is free: what the waitlist workflows must look at now.
 * Polled by the worker's waker, so any way stock comes free (a correction, an edit, a cancel, an
 * expiry, a lapsed hold) reaches the line without each of those paths knowing of it.
 */
export async function skusToOffer(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('waitlist_entries as w')
    .innerJoin('stock as s', 's.sku', 'w.sku')
    .select('w.sku')
    .where('w.status', '=', 'waiting')
    .where(sql<boolean>`s.on_hand > s.reserved`)
    .groupBy('w.sku')
    .limit(limit)
    .execute();
  return rows.map((r) => r.sku);
}
