import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * Webhook deliveries: one row per (endpoint, event), fanned out from the outbox by the
 * dispatchers. Rules, each enforced by a query here:
 * - a delivery is claimed by one dispatcher at a time (`for update skip locked`, then a lease:
 *   `next_attempt_at` moves past the request's timeout, so a dispatcher that dies mid-request
 *   leaves it to another once the lease runs out: at least once);
 * - per endpoint, an event waits while an earlier event of the same aggregate (invoice, or
 *   customer) is not delivered, dead letters included: in order, never around a gap.
 */

/** `skipped`: a dead letter an operator gave up on; like `delivered`, it holds nothing back. */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'skipped';

export interface Claimed {
  id: string;
  endpoint: string;
  eventSeq: number;
  attempt: number;
}

export interface DeliveryRow {
  id: string;
  endpoint: string;
  eventSeq: number;
  eventId: string;
  eventType: string;
  aggregateId: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
}

/**
 * Creates the deliveries of events the endpoint has not been given yet, a page at a time. A new
 * endpoint starts at the beginning of the feed. One dispatcher fans out per endpoint at a time
 * (the endpoint row's lock); events commit in seq order, so the watermark never passes a gap.
 */
export async function fanOut(db: Db, url: string, page = 500): Promise<number> {
  await db
    .insertInto('webhook_endpoints')
    .values({ url })
    .onConflict((oc) => oc.column('url').doNothing())
    .execute();
  return db.transaction().execute(async (trx) => {
    const endpoint = await trx.selectFrom('webhook_endpoints').select('fanned_out_seq').where('url', '=', url).forUpdate().skipLocked().executeTakeFirst();
    if (!endpoint) return 0;
    const events = await trx
      .selectFrom('outbox_events')
      .select(['seq', 'aggregate_id'])
      .where('seq', '>', endpoint.fanned_out_seq)
      .orderBy('seq')
      .limit(page)
      .execute();
    const last = events.at(-1);
    if (!last) return 0;
    await trx
      .insertInto('webhook_deliveries')
      .values(events.map((e) => ({ endpoint: url, event_seq: e.seq, aggregate_id: e.aggregate_id })))
      .onConflict((oc) => oc.columns(['endpoint', 'event_seq']).doNothing())
      .execute();
    await trx.updateTable('webhook_endpoints').set({ fanned_out_seq: last.seq }).where('url', '=', url).execute();
    return events.length;
  });
}

/** Claims up to `limit` due deliveries to `endpoints`, leasing each for `leaseMs`. */
export async function claimDue(db: Db, endpoints: readonly string[], limit: number, leaseMs: number): Promise<Claimed[]> {
  if (endpoints.length === 0) return [];
  const { rows } = await sql<{ id: string; endpoint: string; event_seq: string; attempts: number }>`
    with due as (
      select d.id from webhook_deliveries d
      where d.status = 'pending' and d.next_attempt_at <= now() and d.endpoint in (${sql.join(endpoints)})
        and not exists (
          select 1 from webhook_deliveries e
          where e.endpoint = d.endpoint and e.aggregate_id = d.aggregate_id and e.event_seq < d.event_seq and e.status not in ('delivered', 'skipped')
        )
      order by d.event_seq
      limit ${limit}
      for update of d skip locked
    )
    update webhook_deliveries w
    set attempts = w.attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
    from due where w.id = due.id
    returning w.id, w.endpoint, w.event_seq, w.attempts
  `.execute(db);
  return rows.map((r) => ({ id: r.id, endpoint: r.endpoint, eventSeq: Number(r.event_seq), attempt: r.attempts })).sort((a, b) => a.eventSeq - b.eventSeq);
}

export async function markDelivered(db: Db, id: string): Promise<void> {
  // Even a late answer of an attempt whose lease ran out: the endpoint has the event.
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'delivered', delivered_at: sql`now()`, last_error: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '<>', 'delivered')
    .execute();
}

/**
 * Records a failed attempt: retried after `retryInMs`, or dead when `dead`. Only the attempt that
 * holds the lease may: a stale attempt's failure must not cut a newer attempt's lease short.
 */
export async function markFailed(db: Db, c: Claimed, error: string, outcome: { dead: true } | { retryInMs: number }): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      ...('dead' in outcome ? { status: 'dead' as const } : { next_attempt_at: sql<Date>`now() + make_interval(secs => ${outcome.retryInMs / 1000})` }),
      last_error: error.slice(0, 1000),
      updated_at: sql`now()`,
    })
    .where('id', '=', c.id)
    .where('attempts', '=', c.attempt)
    .where('status', '=', 'pending')
    .execute();
}

export async function listDeliveries(db: Db, opts: { status: DeliveryStatus; limit: number; afterId?: string }): Promise<DeliveryRow[]> {
  let q = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('outbox_events as e', 'e.seq', 'd.event_seq')
    .selectAll('d')
    .select(['e.id as event_id', 'e.type as event_type'])
    .where('d.status', '=', opts.status)
    .orderBy('d.id')
    .limit(opts.limit);
  if (opts.afterId) q = q.where('d.id', '>', opts.afterId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    endpoint: r.endpoint,
    eventSeq: Number(r.event_seq),
    eventId: r.event_id,
    eventType: r.event_type,
    aggregateId: r.aggregate_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at.toISOString(),
    lastError: r.last_error,
    deliveredAt: r.delivered_at ? r.delivered_at.toISOString() : null,
  }));
}

/** Gives up on a dead letter (the receiver will never take it): later events of its aggregate go on. */
export async function skipDead(db: Db, id: string): Promise<number> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'skipped', updated_at: sql`now()` })
    .where('status', '=', 'dead')
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Puts dead letters back in line with a fresh set of attempts; returns how many (all when `id` is absent). */
export async function replayDead(db: Db, id?: string): Promise<number> {
  let q = db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: sql`now()`, updated_at: sql`now()` })
    .where('status', '=', 'dead');
  if (id !== undefined) q = q.where('id', '=', id);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
