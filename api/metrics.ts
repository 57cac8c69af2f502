import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { INVOICE_STATUSES } from '../core/domain/invoice.js';
import type { Db } from '../db/database.js';
import { operatorCounts } from '../db/metrics.repository.js';
import { countStatements } from '../db/tracing.js';
import type { Logger } from '../runtime/logger.js';

/** Methods we label as themselves; anything else is "other" (made-up methods must not add series). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Up to the 15 s an update may wait on Temporal (API_TEMPORAL_TIMEOUT) and a little past it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];
/** The business read runs under this statement timeout; the scrape gives up on it a bit later. */
const DB_READ_TIMEOUT_MS = 2000;
const DB_READ_DEADLINE_MS = 3000;

export interface ApiMetrics {
  /** Counts and times every request; install it first so problem responses are seen too. */
  middleware: MiddlewareHandler;
  /** GET /metrics in the Prometheus text format. */
  handler: (c: Context) => Promise<Response>;
}

/**
 * The route pattern that handled the request ("/v1/invoices/:id"), never the raw path: ids would
 * make a series per invoice. Middleware (`app.use`) is registered for method ALL; the last route
 * with a real method is the handler. No such route means nothing matched.
 */
function routeOf(c: Context): string {
  const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL');
  return handlers.at(-1)?.path ?? 'unmatched';
}

function deadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One set of metrics per app: tests build several apps in one process, so no global registry. */
export function createMetrics(db: Db, logger: Logger): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const statements = new Histogram({
    name: 'http_request_db_statements',
    help: 'SQL statements (database round trips) an HTTP request sent',
    labelNames: ['method', 'route'] as const,
    buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50],
    registers: [registry],
  });
  const businessUp = new Gauge({
    name: 'wholesale_business_metrics_up',
    help: '1 when the wholesale_* gauges below could be read from PostgreSQL on this scrape, 0 when not (they are then left out)',
    registers: [registry],
  });

  // Separate registry: when PostgreSQL does not answer, these are left out rather than shown as 0.
  const business = new Registry();
  const g = (name: string, help: string, labels: string[] = []) => new Gauge({ name, help, labelNames: labels, registers: [business] });
  const invoices = g('wholesale_invoices', 'Invoices by status (read model)', ['status']);
  const documentsPending = g('wholesale_documents_pending', 'Documents still being generated');
  const documentsOldest = g('wholesale_documents_pending_oldest_seconds', 'Age of the oldest document still being generated (0 when none)');
  const documentsFailed = g('wholesale_documents_failed', 'Documents whose generation failed (all time)');
  const emailsFailed = g('wholesale_emails_failed', 'Emails the provider refused for good (all time; retries are over)');
  const emailsFailedHour = g('wholesale_emails_failed_last_hour', 'Emails the provider refused for good in the last hour');
  const reserved = g('wholesale_stock_reserved_units', 'Units held by reservations across all SKUs');
  const webhooksDead = g('wholesale_webhook_dead_letters', 'ERP webhook deliveries given up on: replay them (POST /v1/admin/webhook-deliveries/replay)');
  const webhooksPending = g('wholesale_webhook_pending', 'ERP webhook deliveries waiting (to be sent, retried, or behind a dead letter of their invoice)');
  const waitlist = g('wholesale_waitlist_entries', 'Waitlist places: waiting for stock, or offered (holding stock until claimed or lapsed)', ['status']);
  const waitlistHeld = g('wholesale_waitlist_held_units', 'Units held for waitlist offers (part of wholesale_stock_reserved_units)');
  const waitlistUnoffered = g(
    'wholesale_waitlist_unoffered_skus',
    'SKUs where someone waits while stock is free: should fall back to 0 within seconds; staying up means no worker is offering',
  );
  const webhooksOldest = g('wholesale_webhook_pending_oldest_seconds', 'Age of the oldest event still waiting for a webhook delivery (0 when none)');

  async function readBusiness(): Promise<boolean> {
    try {
      const counts = await deadline(operatorCounts(db, DB_READ_TIMEOUT_MS), DB_READ_DEADLINE_MS);
      for (const status of INVOICE_STATUSES) invoices.set({ status }, counts.invoicesByStatus[status] ?? 0);
      documentsPending.set(counts.documentsPending);
      documentsOldest.set(counts.documentsPendingOldestSeconds);
      documentsFailed.set(counts.documentsFailed);
      emailsFailed.set(counts.emailsFailed);
      emailsFailedHour.set(counts.emailsFailedLastHour);
      reserved.set(counts.stockReservedUnits);
      webhooksDead.set(counts.webhooksDead);
      webhooksPending.set(counts.webhooksPending);
      webhooksOldest.set(counts.webhooksPendingOldestSeconds);
      waitlist.set({ status: 'waiting' }, counts.waitlistWaiting);
      waitlist.set({ status: 'offered' }, counts.waitlistOffered);
      waitlistHeld.set(counts.waitlistHeldUnits);
      waitlistUnoffered.set(counts.waitlistUnofferedSkus);
      return true;
    } catch (err) {
      logger.warn({ err }, 'metrics: business gauges unavailable');
      return false;
    }
  }

  return {
    middleware: async (c, next) => {
      const started = performance.now();
      let failed = false;
      let sent = 0;
      try {
        sent = await countStatements(next);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        const labels = { method: KNOWN_METHODS.has(c.req.method) ? c.req.method : 'other', route: routeOf(c), status: String(failed ? 500 : c.res.status) };
        requests.inc(labels);
        duration.observe(labels, (performance.now() - started) / 1000);
        if (!failed) statements.observe({ method: labels.method, route: labels.route }, sent);
      }
    },
    handler: async (c) => {
      const ok = await readBusiness();
      businessUp.set(ok ? 1 : 0);
      const text = (await registry.metrics()) + (ok ? await business.metrics() : '');
      return c.body(text, 200, { 'Content-Type': registry.contentType });
    },
  };
}
