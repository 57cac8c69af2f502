// Traces on the real stack: one checkout over the API must come out as one trace, from the HTTP
// request through the Temporal client, the order workflow and its (local) activities down to the
// PostgreSQL queries. Spans are kept in memory instead of going out over OTLP.
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { readdirSync, readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { orderWorkflowId } from '../core/contracts/ids.js';
import { loadConfig } from '../runtime/config.js';
import { startTracing, TRACING_WORKFLOW_MODULES, type Tracing } from '../runtime/tracing.js';
import { WORKFLOWS_PATH } from '../runtime/worker.js';
import { addProduct } from './support/fixtures.js';
import { newCustomer, waitForInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let s: TestStack;
let code: string;

beforeAll(async () => {
  const traced = await startTracing(loadConfig({}), { serviceName: 'wholesale-orders-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  if (!traced) throw new Error('tracing did not start with a span processor given');
  tracing = traced;
  // The shared bundle is untraced (as production is with tracing off): this one carries the
  // workflow interceptors, as the worker's own bundle does when tracing is on.
  ({ code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: TRACING_WORKFLOW_MODULES, logger: quiet }));
  s = await startTestStack({}, undefined, undefined, { tracing, workflowBundle: { code } });
});
afterAll(async () => {
  await s.stop();
  await tracing.shutdown();
});

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

const byId = (spans: ReadableSpan[]) => new Map(spans.map((span) => [span.spanContext().spanId, span]));
const names = (spans: ReadableSpan[]) => spans.map((span) => span.name);

/** Whether `span` descends from a span named `ancestor` (following parent ids within the trace). */
function descendsFrom(span: ReadableSpan, ancestor: (name: string) => boolean, spans: Map<string, ReadableSpan>): boolean {
  for (let parent = span.parentSpanId; parent !== undefined;) {
    const next = spans.get(parent);
    if (!next) return false;
    if (ancestor(next.name)) return true;
    parent = next.parentSpanId;
  }
  return false;
}

describe('traces', () => {
  it('follow a checkout from the HTTP request through the workflow and its activities to PostgreSQL', async () => {
    await addProduct(s.db, 'TR-A', { onHand: 50 });
    const { call } = await newCustomer(s);
    expect((await call('PUT', '/v1/cart/items/TR-A', { quantity: 5 })).status).toBe(200);
    const checkout = await call('POST', '/v1/cart/checkout', { target: 'new' });
    expect(checkout.status).toBe(202);
    await waitForInvoice(call, checkout.body.orderId);

    // The request's id is its trace's id: what a client or a log line shows finds the trace.
    const traceId = checkout.headers.get('X-Request-Id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    // Workflow spans leave the sandbox through a sink when the workflow task completes.
    await expect
      .poll(
        async () => {
          await tracing.forceFlush();
          return names(inTrace());
        },
        { timeout: 20_000, interval: 200 },
      )
      .toEqual(expect.arrayContaining(['RunWorkflow:orderWorkflow']));

    const spans = inTrace();
    const all = byId(spans);
    const server = spans.find((span) => span.name === 'POST /v1/cart/checkout');
    expect(server, names(spans).join(', ')).toBeDefined();
    expect(server?.parentSpanId).toBeUndefined();
    expect(server?.attributes).toMatchObject({ 'http.route': '/v1/cart/checkout', 'http.response.status_code': 202, 'request.id': traceId });

    const underServer = (name: string) => spans.filter((span) => span.name === name && descendsFrom(span, (n) => n === server?.name, all));
    expect(underServer('StartWorkflow:orderWorkflow')).toHaveLength(1);
    expect(underServer('RunWorkflow:orderWorkflow')).toHaveLength(1);
    // The order's database steps are local activities; the email is a regular one.
    for (const step of ['projectOrder', 'allocateNumber', 'reserveInvoiceLines', 'projectInvoice', 'sendEmail']) {
      expect(underServer(`RunActivity:${step}`).length, step).toBeGreaterThan(0);
    }
    expect(underServer('StartChildWorkflow:invoiceWorkflow')).toHaveLength(1);

    const queries = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    // The API's own reads (the cart) and the activities' writes are both in the trace.
    expect(queries.filter((q) => q.parentSpanId === server?.spanContext().spanId).length).toBeGreaterThan(0);
    const activityQueries = queries.filter((q) => descendsFrom(q, (n) => n.startsWith('RunActivity:'), all));
    expect(activityQueries.length).toBeGreaterThan(0);
    expect(activityQueries.map((q) => q.attributes['db.query.text']).join('\n')).toMatch(/stock|reservations/);
  });

  it('keeps a client-supplied X-Request-Id and records it on the request span', async () => {
    const { call } = await newCustomer(s);
    const reply = await call('GET', '/v1/cart', undefined, { 'X-Request-Id': 'portal-req-42' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('X-Request-Id')).toBe('portal-req-42');
    await tracing.forceFlush();
    const span = exporter.getFinishedSpans().find((sp) => sp.attributes['request.id'] === 'portal-req-42');
    expect(span?.name).toBe('GET /v1/cart');
    // A query of that request is a child of its span, under the same trace.
    const traceId = span?.spanContext().traceId;
    expect(exporter.getFinishedSpans().some((q) => q.spanContext().traceId === traceId && q.attributes['db.system.name'] === 'postgresql')).toBe(true);
  });

  it('leave running workflows alone: histories recorded untraced replay on the traced bundle', async () => {
    // Turning tracing on in a deployment with invoices already running must not break them.
    const dir = new URL('./histories/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: { code } }, history, file);
    }
  });

  it('can be turned off again: a traced order replays on the untraced bundle (and on the traced one)', async () => {
    await addProduct(s.db, 'TR-B', { onHand: 50 });
    const { call } = await newCustomer(s);
    expect((await call('PUT', '/v1/cart/items/TR-B', { quantity: 2 })).status).toBe(200);
    const checkout = await call('POST', '/v1/cart/checkout', { target: 'new' });
    expect(checkout.status).toBe(202);
    await waitForInvoice(call, checkout.body.orderId);
    const handle = s.client.workflow.getHandle(orderWorkflowId(checkout.body.orderId));
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, 'traced order, untraced worker');
    await Worker.runReplayHistory({ workflowBundle: { code } }, history, 'traced order, traced worker');
  });
});
