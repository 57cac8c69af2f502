import { sql } from 'kysely';
import type { InvoiceStatus } from '../core/domain/invoice.js';
import type { Db } from './database.js';

/**
 * What an operator alerts on, read from the tables that hold it (GET /metrics). One read-only
 * statement per scrape, each part an index scan (migration 2026-12-01T0900_metrics-indexes), under
 * a statement timeout so a slow database costs a scrape its business gauges, never a hang.
 */
export interface OperatorCounts {
  /** Invoices in the read model by status (statuses without invoices are absent). */
  invoicesByStatus: Partial<Record<InvoiceStatus, number>>;
  documentsPending: number;
  /** Age of the oldest pending document; 0 when none is pending. */
  documentsPendingOldestSeconds: number;
  documentsFailed: number;
  /** Emails the provider refused for good ('failed' in the email log: retries are over). */
  emailsFailed: number;
  emailsFailedLastHour: number;
  /** Units held by reservations (stock.reserved, kept equal to their sum by the database). */
  stockReservedUnits: number;
  /** ERP webhooks: deliveries given up on (dead letters), waiting ones, and the age of the oldest waiting event. */
  webhooksDead: number;
  webhooksPending: number;
  webhooksPendingOldestSeconds: number;
  /** Waitlist: places waiting, offers holding stock, the units they hold, and SKUs where someone waits while stock is free (should be 0 within seconds). */
  waitlistWaiting: number;
  waitlistOffered: number;
  waitlistHeldUnits: number;
  waitlistUnofferedSkus: number;
}

interface Row {
  invoices: Record<string, number>;
  documents_pending: number;
  documents_oldest_pending_s: number | null;
  documents_failed: number;
  emails_failed: number;
  emails_failed_last_hour: number;
  stock_reserved: string;
  webhooks_dead: number;
  webhooks_pending: number;
  webhooks_oldest_pending_s: number | null;
  waitlist_waiting: number;
  waitlist_offered: number;
  waitlist_held: number;
  waitlist_unoffered: number;
}

export async function operatorCounts(db: Db, timeoutMs: number): Promise<OperatorCounts> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(Math.max(1, Math.round(timeoutMs)))}, true)`.execute(trx);
      const { rows } = await sql<Row>`
        select i.invoices, d.documents_pending, d.documents_oldest_pending_s, d.documents_failed,
               e.emails_failed, e.emails_failed_last_hour, s.stock_reserved,
               w.webhooks_dead, w.webhooks_pending, w.webhooks_oldest_pending_s,
               wl.waitlist_waiting, wl.waitlist_offered, wl.waitlist_held, wu.waitlist_unoffered
        from (
          select coalesce(json_object_agg(status, n), '{}'::json) as invoices
          from (select status, count(*)::int as n from invoices group by status) by_status
        ) i
        cross join (
          select count(*) filter (where status = 'pending')::int as documents_pending,
                 extract(epoch from now() - min(created_at) filter (where status = 'pending'))::float8 as documents_oldest_pending_s,
                 count(*) filter (where status = 'failed')::int as documents_failed
          from documents where status <> 'ready'
        ) d
        cross join (
          select count(*)::int as emails_failed,
                 count(*) filter (where created_at > now() - interval '1 hour')::int as emails_failed_last_hour
          from email_log where status = 'failed'
        ) e
        cross join (select coalesce(sum(reserved), 0)::bigint as stock_reserved from stock) s
        cross join (
          select count(*) filter (where d.status = 'dead')::int as webhooks_dead,
                 count(*) filter (where d.status = 'pending')::int as webhooks_pending,
                 extract(epoch from now() - min(o.created_at) filter (where d.status = 'pending'))::float8 as webhooks_oldest_pending_s
          from webhook_deliveries d join outbox_events o on o.seq = d.event_seq
          where d.status <> 'delivered'
        ) w
        cross join (
          select count(*) filter (where status = 'waiting')::int as waitlist_waiting,
                 count(*) filter (where status = 'offered')::int as waitlist_offered,
                 coalesce(sum(held), 0)::int as waitlist_held
          from waitlist_entries where status in ('waiting', 'offered')
        ) wl
        cross join (
          select count(distinct w.sku)::int as waitlist_unoffered
          from waitlist_entries w join stock s on s.sku = w.sku
          where w.status = 'waiting' and s.on_hand > s.reserved
        ) wu
      `.execute(trx);
      const r = rows[0];
      if (!r) throw new Error('operator counts: no row');
      return {
        invoicesByStatus: r.invoices,
        documentsPending: r.documents_pending,
        documentsPendingOldestSeconds: Math.max(0, r.documents_oldest_pending_s ?? 0),
        documentsFailed: r.documents_failed,
        emailsFailed: r.emails_failed,
        emailsFailedLastHour: r.emails_failed_last_hour,
        stockReservedUnits: Number(r.stock_reserved),
        webhooksDead: r.webhooks_dead,
        webhooksPending: r.webhooks_pending,
        webhooksPendingOldestSeconds: Math.max(0, r.webhooks_oldest_pending_s ?? 0),
        waitlistWaiting: r.waitlist_waiting,
        waitlistOffered: r.waitlist_offered,
        waitlistHeldUnits: r.waitlist_held,
        waitlistUnofferedSkus: r.waitlist_unoffered,
      };
    });
}
