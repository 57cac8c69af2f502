import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../api/app.js';
import { createApiDb } from '../db/database.js';
import { failDocument, insertDocument } from '../db/documents.repository.js';
import { logEmail } from '../db/email-log.repository.js';
import { offerWaitlist } from '../db/waitlist.repository.js';
import { freePort } from '../runtime/dev-stack.js';
import { stopWithParent } from '../runtime/dev-stack/processes.js';
import { createLogger } from '../runtime/logger.js';
import { addCustomer, addProduct, customerUser } from './support/fixtures.js';
import { client } from './support/http.js';
import { samplesOf, valueOf } from './support/prometheus.js';
import { newCustomer, waitForInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const logger = createLogger('silent', 'test');
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'MET-1', { onHand: 100 });
});
afterAll(() => s.stop());

async function scrape(app: { request: (path: string) => Response | Promise<Response> } = s.app): Promise<string> {
  const res = await app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

const sumOf = (text: string, name: string) => samplesOf(text, name).reduce((total, sample) => total + sample.value, 0);

describe('GET /metrics of the API', () => {
  it('counts a checkout under its route pattern and status, times it, and shows the invoice and its reservation', async () => {
    const before = await scrape();
    expect(sumOf(before, 'wholesale_invoices')).toBe(0);
    expect(valueOf(before, 'wholesale_stock_reserved_units')).toBe(0);

    const me = await newCustomer(s);
    expect((await me.call('PUT', '/v1/cart/items/MET-1', { quantity: 3 })).status).toBe(200);
    const checkout = await me.call('POST', '/v1/cart/checkout', { target: 'new' });
    expect(checkout.status).toBe(202);
    const invoiceId = await waitForInvoice(me.call, checkout.body.orderId);
    const invoice = await me.call('GET', `/v1/invoices/${invoiceId}`);
    expect(invoice.status).toBe(200);
    expect((await me.call('GET', `/v1/invoices/${randomUUID()}`)).status).toBe(404);
    expect((await me.call('GET', `/v1/no-such-thing/${invoiceId}`)).status).toBe(404);
    expect((await s.app.request('/v1/cart', { method: 'BREW' })).status).toBe(405);

    const text = await scrape();
    const checkoutLabels = { method: 'POST', route: '/v1/cart/checkout', status: '202' };
    expect(valueOf(text, 'http_requests_total', checkoutLabels)).toBe(1);
    expect(valueOf(text, 'http_request_duration_seconds_count', checkoutLabels)).toBe(1);
    expect(valueOf(text, 'http_request_duration_seconds_bucket', { ...checkoutLabels, le: '+Inf' })).toBe(1);
    expect(samplesOf(text, 'http_request_duration_seconds_bucket', checkoutLabels).map((b) => b.labels.le)).toEqual(
      expect.arrayContaining(['0.005', '0.1', '1', '10', '+Inf']),
    );
    // Patterns, never raw paths: one series for every invoice, problem answers counted too.
    expect(valueOf(text, 'http_requests_total', { method: 'GET', route: '/v1/invoices/:id', status: '200' })).toBe(1);
    expect(valueOf(text, 'http_requests_total', { method: 'GET', route: '/v1/invoices/:id', status: '404' })).toBe(1);
    expect(valueOf(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(valueOf(text, 'http_requests_total', { method: 'other', route: 'unmatched', status: '405' })).toBe(1);
    expect(text).not.toContain(invoiceId);
    // Database round trips per request: a read of an invoice asks PostgreSQL (the 404 too), a
    // refused method never does.
    const invoiceReads = { method: 'GET', route: '/v1/invoices/:id' };
    expect(valueOf(text, 'http_request_db_statements_count', invoiceReads)).toBe(2);
    expect(valueOf(text, 'http_request_db_statements_sum', invoiceReads)).toBeGreaterThanOrEqual(2);
    expect(valueOf(text, 'http_request_db_statements_sum', { method: 'POST', route: '/v1/cart/checkout' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(text, 'http_request_db_statements_sum', { method: 'other', route: 'unmatched' })).toBe(0);
    expect(valueOf(text, 'http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1); // the scrape before
    // Node process metrics come along.
    expect(valueOf(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samplesOf(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);

    expect(valueOf(text, 'wholesale_business_metrics_up')).toBe(1);
    expect(valueOf(text, 'wholesale_invoices', { status: invoice.body.status })).toBe(1);
    expect(sumOf(text, 'wholesale_invoices')).toBe(1);
    expect(samplesOf(text, 'wholesale_invoices')).toHaveLength(10); // every status, zeros included
    expect(valueOf(text, 'wholesale_stock_reserved_units')).toBe(3);
  });

  it('shows pending and failed documents and emails the provider refused', async () => {
    const customerId = await addCustomer(s.db);
    const documentId = randomUUID();
    await insertDocument(s.db, { id: documentId, customerId, params: { type: 'receivables', today: '2026-12-01' } });
    let text = await scrape();
    expect(valueOf(text, 'wholesale_documents_pending')).toBe(1);
    expect(valueOf(text, 'wholesale_documents_pending_oldest_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(text, 'wholesale_documents_pending_oldest_seconds')).toBeLessThan(60);
    expect(valueOf(text, 'wholesale_documents_failed')).toBe(0);
    expect(valueOf(text, 'wholesale_emails_failed')).toBe(0);

    await failDocument(s.db, documentId, 'шаблон не найден');
    const email = { kind: 'invoice-confirmed', to: 'x@example.com', subject: 'Счёт', text: 't', html: '<p>t</p>', providerId: null };
    await logEmail(s.db, { ...email, key: `failed-${randomUUID()}`, status: 'failed' });
    await logEmail(s.db, { ...email, key: `sent-${randomUUID()}`, status: 'outbox' });
    text = await scrape();
    expect(valueOf(text, 'wholesale_documents_pending')).toBe(0);
    expect(valueOf(text, 'wholesale_documents_pending_oldest_seconds')).toBe(0);
    expect(valueOf(text, 'wholesale_documents_failed')).toBe(1);
    expect(valueOf(text, 'wholesale_emails_failed')).toBe(1);
    expect(valueOf(text, 'wholesale_emails_failed_last_hour')).toBe(1);
  });

  it('shows the waitlist: places waiting, offers and what they hold, and SKUs left waiting while stock is free', async () => {
    await addProduct(s.db, 'MET-W', { onHand: 0 });
    const me = await newCustomer(s);
    expect((await me.call('POST', '/v1/waitlist', { sku: 'MET-W', quantity: 2 })).status).toBe(201);
    let text = await scrape();
    expect(valueOf(text, 'wholesale_waitlist_entries', { status: 'waiting' })).toBe(1);
    expect(valueOf(text, 'wholesale_waitlist_unoffered_skus')).toBe(0);
    // Stock arrives behind everyone's back and no waker runs here: the alert case.
    await s.db.updateTable('stock').set({ on_hand: 5 }).where('sku', '=', 'MET-W').execute();
    text = await scrape();
    expect(valueOf(text, 'wholesale_waitlist_unoffered_skus')).toBe(1);
    await offerWaitlist(s.db, 'MET-W', 60_000);
    text = await scrape();
    expect(valueOf(text, 'wholesale_waitlist_entries', { status: 'waiting' })).toBe(0);
    expect(valueOf(text, 'wholesale_waitlist_entries', { status: 'offered' })).toBe(1);
    expect(valueOf(text, 'wholesale_waitlist_held_units')).toBe(2);
    expect(valueOf(text, 'wholesale_waitlist_unoffered_skus')).toBe(0);
  });

  it('a database that hangs costs the scrape its business gauges, not its answer', async () => {
    const locker = new pg.Client({ connectionString: s.testDb.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table stock in access exclusive mode');
      const started = performance.now();
      const text = await scrape();
      expect(performance.now() - started).toBeLessThan(3500);
      expect(valueOf(text, 'wholesale_business_metrics_up')).toBe(0);
      expect(samplesOf(text, 'wholesale_invoices')).toHaveLength(0); // left out, not shown as 0
      expect(valueOf(text, 'wholesale_stock_reserved_units')).toBeUndefined();
      expect(samplesOf(text, 'http_requests_total').length).toBeGreaterThan(0);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    expect(valueOf(await scrape(), 'wholesale_business_metrics_up')).toBe(1);
  });

  it('keeps its counts per app and answers without a database at all', async () => {
    const db = createApiDb(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/none`, 2, 500);
    const app = createApp({ db, temporal: s.client, config: s.config, logger });
    const text = await scrape(app);
    expect(valueOf(text, 'wholesale_business_metrics_up')).toBe(0);
    expect(samplesOf(text, 'http_requests_total')).toHaveLength(0); // this app has answered nothing yet
    await db.destroy();
  });
});

describe('the worker process (runtime/worker.ts) with WORKER_METRICS_PORT', () => {
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  });

  it('serves the Temporal SDK metrics: pollers, slots, schedule-to-start and execution latencies of the work it did', async () => {
    const port = await freePort();
    const taskQueue = `metrics-${randomBytes(4).toString('hex')}`;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'runtime/worker.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        APP_ENV: 'development',
        DATABASE_URL: s.testDb.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_PORT: String(port),
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: s.resend.url,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = proc;
    const guard = stopWithParent(proc.pid!, 'SIGKILL', { group: true });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    const url = `http://127.0.0.1:${port}/metrics`;
    const workerMetrics = () => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.text());

    // Bundling the workflows takes a while; the endpoint is up once the runtime is installed.
    await expect.poll(async () => (await workerMetrics().catch(() => '')).includes('temporal_num_pollers'), { timeout: 90_000, interval: 500 }).toBe(true);
    expect(proc.exitCode, output).toBeNull();

    // Work for it: an API on its task queue takes a checkout, which its workflows and activities run.
    const config = { ...s.config, temporal: { ...s.config.temporal, taskQueue } };
    const app = createApp({ db: s.db, temporal: s.client, config, logger });
    const call = client(app, customerUser(await addCustomer(s.db)));
    await expect.poll(async () => (await call('GET', '/readyz')).body.checks?.worker, { timeout: 15_000 }).toMatchObject({ status: 'ok' });
    expect((await call('PUT', '/v1/cart/items/MET-1', { quantity: 1 })).status).toBe(200);
    const checkout = await call('POST', '/v1/cart/checkout', { target: 'new' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(202);
    await waitForInvoice(call, checkout.body.orderId);

    // The emails run as ordinary activities after the invoice shows, and the SDK exports its
    // figures on its own schedule: wait until the work has been counted.
    await expect
      .poll(async () => sumOf(await workerMetrics(), 'temporal_activity_execution_latency_count'), { timeout: 30_000, interval: 500 })
      .toBeGreaterThan(0);
    const text = await workerMetrics();
    const ours = { task_queue: taskQueue };
    expect(samplesOf(text, 'temporal_num_pollers', { ...ours, poller_type: 'workflow_task' }).length).toBeGreaterThan(0);
    expect(samplesOf(text, 'temporal_worker_task_slots_available', { ...ours, worker_type: 'WorkflowWorker' })).toHaveLength(1);
    expect(sumOf(text, 'temporal_workflow_task_schedule_to_start_latency_count')).toBeGreaterThan(0);
    expect(sumOf(text, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThan(0);
    expect(sumOf(text, 'temporal_activity_execution_latency_count')).toBeGreaterThan(0);
    expect(samplesOf(text, 'temporal_sticky_cache_size').length).toBeGreaterThan(0);

    process.kill(-proc.pid!, 'SIGTERM'); // drains and exits, as on a deploy
    await exited;
    guard.release();
    expect(proc.exitCode, output).toBe(0);
  }, 150_000);
});
