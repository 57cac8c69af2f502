// The ERP outbox end to end on the real stack: real flows through the API write events in their
// own transactions; dispatchers deliver them, signed, to a real HTTP receiver, in order per
// invoice, through failures, dead letters, two dispatchers at once and a dispatcher crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, customerUser, TEST_SECRET } from './support/fixtures.js';
import { signToken } from '../api/auth.js';
import { client } from './support/http.js';
import { allDelivered, dispatcher, expectOrderedDelivery, readFeed, type FeedEvent } from './support/outbox.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { startReceiver, type Receiver } from './support/webhook-receiver.js';

let s: TestStack;
const receivers: Receiver[] = [];
const MANAGER = 'outbox-manager@supplier.example';

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'OB-1', { onHand: 1000, piecesPerBox: 5 });
  await addProduct(s.db, 'OB-2', { onHand: 1000 });
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await s?.stop();
});

const warehouse = () => client(s.app, staff.warehouse);
const manager = () => client(s.app, staff.manager(MANAGER));

/** A confirmed invoice through the whole life the ERP follows; returns its id. */
async function shippedInvoice(call: Awaited<ReturnType<typeof newCustomer>>['call']): Promise<string> {
  const invoice = (await orderInvoice(call, { 'OB-1': 10 })).body;
  expect(invoice.status).toBe('confirmed');
  const changed = await manager()('POST', `/v1/manager/invoices/${invoice.id}/lines`, { lines: [{ sku: 'OB-1', quantity: 8 }], comment: 'меньше' });
  expect(changed.body.status).toBe('changed');
  expect((await call('POST', `/v1/invoices/${invoice.id}/submit`)).body.status).toBe('confirmed');
  expect((await call('POST', `/v1/invoices/${invoice.id}/ship`)).body.status).toBe('shipment_confirmed');
  for (const status of ['to_warehouse', 'assembled', 'shipped']) {
    const step = await warehouse()('POST', `/v1/warehouse/invoices/${invoice.id}/status`, { status });
    expect(step.status, JSON.stringify(step.body)).toBe(200);
  }
  return invoice.id as string;
}

async function uploadPaymentOrder(customerId: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4\n% outbox\n')], { type: 'application/pdf' }), 'pp.pdf');
  const res = await s.app.request('/v1/payment-orders', {
    method: 'POST',
    body: form,
    headers: { Authorization: `Bearer ${await signToken(TEST_SECRET, customerUser(customerId))}` },
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const typesOf = (feed: FeedEvent[], aggregateId: string) => feed.filter((e) => e.aggregate.id === aggregateId).map((e) => e.type);

describe('events from real flows', () => {
  let feed: FeedEvent[];
  let main: Receiver;
  let ids: { shipped: string; cancelled: string; customer: string; paymentOrder: string; document: string };

  it('drives an invoice to shipped, a cancelled one, a payment, a payment order and a document', async () => {
    main = await receiver();
    const d = dispatcher(s, [main.url]);
    try {
      const buyer = await newCustomer(s, { managerEmail: MANAGER });
      const shipped = await shippedInvoice(buyer.call);
      const cancelled = (await orderInvoice(buyer.call, { 'OB-2': 3 })).body.id as string;
      expect((await buyer.call('POST', `/v1/invoices/${cancelled}/cancel`)).body.status).toBe('deleted');
      const payment = { customerId: buyer.id, amount: '100.00', paidAt: '2026-11-20', reference: 'п/п 1' };
      expect((await manager()('POST', '/v1/manager/payments', payment)).status).toBe(201);
      expect((await manager()('POST', '/v1/manager/payments', payment)).status).toBe(200); // the same payment: no second event
      const paymentOrder = await uploadPaymentOrder(buyer.id);
      const document = (await buyer.call('POST', '/v1/documents', { type: 'receivables' })).body.documentId as string;
      await expect.poll(async () => (await buyer.call('GET', `/v1/documents/${document}`)).body.status, { timeout: 30_000 }).toBe('ready');
      ids = { shipped, cancelled, customer: buyer.id, paymentOrder, document };
      feed = await allDelivered(s, main);
    } finally {
      await d.stop();
    }
  }, 120_000);

  it('publishes each business event once, in the order it happened', () => {
    expect(typesOf(feed, ids.shipped)).toEqual([
      'invoice.confirmed.v1',
      'invoice.changed.v1',
      'invoice.confirmed.v1',
      'realization.created.v1',
      'invoice.shipped.v1',
    ]);
    expect(typesOf(feed, ids.cancelled)).toEqual(['invoice.confirmed.v1', 'invoice.deleted.v1']);
    expect(typesOf(feed, ids.customer).sort()).toEqual(['document.ready.v1', 'payment.recorded.v1', 'payment_order.uploaded.v1']);
    const changed = feed.find((e) => e.aggregate.id === ids.shipped && e.type === 'invoice.changed.v1');
    expect(changed?.data).toMatchObject({
      invoiceId: ids.shipped,
      status: 'changed',
      fromStatus: 'confirmed',
      comment: 'меньше',
      lines: [{ sku: 'OB-1', approved: 8 }],
    });
    const realization = feed.find((e) => e.type === 'realization.created.v1');
    expect(realization?.data).toMatchObject({ invoiceId: ids.shipped, total: '1199.20', lines: [{ sku: 'OB-1', approved: 8, price: '149.90' }] });
    expect(feed.find((e) => e.type === 'payment.recorded.v1')?.data).toMatchObject({ amount: '100.00', reference: 'п/п 1' });
    expect(feed.find((e) => e.type === 'payment_order.uploaded.v1')?.data).toMatchObject({ paymentOrderId: ids.paymentOrder });
    expect(feed.find((e) => e.type === 'document.ready.v1')?.data).toMatchObject({ documentId: ids.document, type: 'receivables' });
    // The feed is in seq order, with unique ids.
    expect(feed.map((e) => e.seq)).toEqual([...feed.map((e) => e.seq)].sort((a, b) => a - b));
    expect(new Set(feed.map((e) => e.id)).size).toBe(feed.length);
  });

  it('the receiver got every event, signed, in order per invoice; the feed pages to the same list', async () => {
    expectOrderedDelivery(main, feed);
    expect((await readFeed(s, 2)).map((e) => e.id)).toEqual(feed.map((e) => e.id));
    const admin = client(s.app, staff.admin);
    const tail = await admin('GET', `/v1/events?after=${feed.at(-2)?.seq}`);
    expect(tail.body).toEqual({ items: [feed.at(-1)], next: feed.at(-1)?.seq, hasMore: false });
  });

  it('the feed is the admin’s: 401 without a token, 403 for other roles', async () => {
    expect((await client(s.app)('GET', '/v1/events')).status).toBe(401);
    for (const user of [customerUser(ids.customer), staff.warehouse, staff.manager(MANAGER)]) {
      const reply = await client(s.app, user)('GET', '/v1/events');
      expect(reply.status).toBe(403);
      expect(reply.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await client(s.app, staff.admin)('GET', '/v1/events?after=-1')).status).toBe(400);
  });

  it('documents the event schema with its versioned types in /openapi.json', async () => {
    const doc = await (await s.app.request('/openapi.json')).json();
    expect(doc.components.schemas.EventType.enum).toEqual(expect.arrayContaining(['invoice.confirmed.v1', 'realization.created.v1', 'document.ready.v1']));
    expect(doc.components.schemas.Event).toBeDefined();
    expect(doc.paths['/v1/events'].get).toBeDefined();
    const [webhook] = Object.values<any>(doc.webhooks);
    expect(webhook.post.parameters.map((p: { name: string }) => p.name)).toContain('X-Webhook-Signature');
    expect(webhook.post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Event' });
    expect(doc.paths['/v1/admin/stock-batches'].post).toBeDefined();
  });
});

describe('delivery through failures', () => {
  it('retries an endpoint that answers 500 a few times, then delivers', async () => {
    const flaky = await receiver();
    flaky.failTimes(4);
    const d = dispatcher(s, [flaky.url]);
    try {
      const buyer = await newCustomer(s, { managerEmail: MANAGER });
      expect((await manager()('POST', '/v1/manager/payments', { customerId: buyer.id, amount: '5.00', paidAt: '2026-11-21', reference: 'retry' })).status).toBe(
        201,
      );
      const feed = await allDelivered(s, flaky);
      expectOrderedDelivery(flaky, feed);
      expect(flaky.requests).toBe(flaky.accepted.length + 4);
      const rows = await s.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('endpoint', '=', flaky.url).execute();
      expect(rows.every((r) => r.status === 'delivered')).toBe(true);
      expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(feed.length + 4);
    } finally {
      await d.stop();
    }
  });

  it('dead-letters an endpoint that always fails, holds later events of the invoice back, and delivers after replay', async () => {
    const down = await receiver();
    down.setAlwaysFail(true);
    const admin = client(s.app, staff.admin);
    const d = dispatcher(s, [down.url], { maxAttempts: 3 });
    try {
      const feed = await readFeed(s, 200);
      const aggregates = [...new Set(feed.map((e) => e.aggregate.id))];
      // Each aggregate's first event dies after 3 attempts; the rest of it waits behind it, unsent.
      await expect
        .poll(async () => (await admin('GET', '/v1/admin/webhook-deliveries?status=dead&limit=200')).body.items.length, { timeout: 30_000, interval: 100 })
        .toBe(aggregates.length);
      const dead = (await admin('GET', '/v1/admin/webhook-deliveries?status=dead&limit=200')).body.items as {
        id: string;
        eventSeq: number;
        eventId: string;
        attempts: number;
        endpoint: string;
      }[];
      const firstSeqs = aggregates.map((a) => feed.find((e) => e.aggregate.id === a)?.seq).sort((x, y) => (x ?? 0) - (y ?? 0));
      expect(dead.map((x) => x.eventSeq).sort((x, y) => x - y)).toEqual(firstSeqs);
      expect(dead.every((x) => x.attempts === 3 && x.endpoint === down.url)).toBe(true);
      expect(dead.map((x) => x.eventId).sort()).toEqual(firstSeqs.map((seq) => feed.find((e) => e.seq === seq)?.id).sort());
      const waiting = await s.db
        .selectFrom('webhook_deliveries')
        .select(['attempts'])
        .where('endpoint', '=', down.url)
        .where('status', '=', 'pending')
        .execute();
      expect(waiting.length).toBe(feed.length - aggregates.length);
      expect(waiting.every((w) => w.attempts === 0)).toBe(true);
      expect(down.accepted).toEqual([]);
      const metrics = await (await s.app.request('/metrics')).text();
      expect(metrics).toMatch(new RegExp(`^wholesale_webhook_dead_letters ${dead.length}$`, 'm'));
      expect(metrics).toMatch(new RegExp(`^wholesale_webhook_pending ${waiting.length}$`, 'm'));

      // The endpoint is back: replaying one aggregate's dead letter releases that aggregate only.
      down.setAlwaysFail(false);
      const one = dead[0]!;
      expect((await admin('POST', `/v1/admin/webhook-deliveries/${one.id}/replay`)).body).toEqual({ replayed: 1 });
      const oneAggregate = feed.find((e) => e.seq === one.eventSeq)!.aggregate.id;
      const itsEvents = feed.filter((e) => e.aggregate.id === oneAggregate).map((e) => e.id);
      await expect.poll(() => itsEvents.filter((id) => !down.ids().has(id)), { timeout: 30_000, interval: 100 }).toEqual([]);
      expect([...down.ids()].sort()).toEqual([...itsEvents].sort());
      expect((await admin('POST', `/v1/admin/webhook-deliveries/${one.id}/replay`)).status).toBe(404);

      expect((await admin('POST', '/v1/admin/webhook-deliveries/replay')).body).toEqual({ replayed: dead.length - 1 });
      expectOrderedDelivery(down, await allDelivered(s, down));
    } finally {
      await d.stop();
    }
  });

  it('a dead letter an operator skips lets the later events of its invoice go; the skipped one is never sent', async () => {
    const down = await receiver();
    down.setAlwaysFail(true);
    const admin = client(s.app, staff.admin);
    const d = dispatcher(s, [down.url], { maxAttempts: 1 });
    try {
      const feed = await readFeed(s, 200);
      const aggregates = [...new Set(feed.map((e) => e.aggregate.id))];
      const deadOf = async () =>
        (await admin('GET', '/v1/admin/webhook-deliveries?status=dead&limit=200')).body.items as { id: string; eventSeq: number; eventId: string }[];
      await expect.poll(async () => (await deadOf()).length, { timeout: 30_000, interval: 100 }).toBe(aggregates.length);
      const victim = (await deadOf())[0]!;
      const aggregate = feed.find((e) => e.seq === victim.eventSeq)!.aggregate.id;
      const later = feed.filter((e) => e.aggregate.id === aggregate && e.seq > victim.eventSeq).map((e) => e.id);
      down.setAlwaysFail(false);
      expect((await admin('POST', `/v1/admin/webhook-deliveries/${victim.id}/skip`)).body).toEqual({ skipped: 1 });
      expect((await admin('POST', `/v1/admin/webhook-deliveries/${victim.id}/skip`)).status).toBe(404);
      await expect.poll(() => later.filter((id) => !down.ids().has(id)), { timeout: 30_000, interval: 100 }).toEqual([]);
      expect(down.ids().has(victim.eventId)).toBe(false);
      // Only that aggregate moved: the other dead letters still hold theirs back.
      expect([...down.ids()].sort()).toEqual([...later].sort());
      expect((await admin('GET', '/v1/admin/webhook-deliveries?status=skipped')).body.items.map((x: { id: string }) => x.id)).toEqual([victim.id]);
    } finally {
      await d.stop();
    }
  });

  it('two dispatchers at once deliver each event once, in order', async () => {
    const target = await receiver();
    const [a, b] = [dispatcher(s, [target.url]), dispatcher(s, [target.url])];
    try {
      const buyers = await Promise.all([1, 2, 3].map(() => newCustomer(s, { managerEmail: MANAGER })));
      await Promise.all(
        buyers.flatMap((buyer, i) =>
          [1, 2, 3].map((n) =>
            manager()('POST', '/v1/manager/payments', { customerId: buyer.id, amount: `${i + 1}${n}.00`, paidAt: '2026-11-22', reference: `two-${n}` }),
          ),
        ),
      );
      const feed = await allDelivered(s, target);
      expectOrderedDelivery(target, feed);
      // Leases outlast every answer here: no event needed a second request.
      expect(target.accepted.length).toBe(feed.length);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a dispatcher that dies mid-delivery loses nothing: the next one redelivers under the same event id', async () => {
    const target = await receiver();
    target.setHold(true);
    // A short answer timeout makes the lease (twice it) run out soon after the crash.
    const crashing = dispatcher(s, [target.url], { timeoutMs: 1_500 });
    await expect.poll(() => target.held.length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    await crashing.abort();
    const inFlight = target.held.map((h) => h.event.id);
    // Committed while no dispatcher runs.
    const buyer = await newCustomer(s, { managerEmail: MANAGER });
    expect((await manager()('POST', '/v1/manager/payments', { customerId: buyer.id, amount: '7.00', paidAt: '2026-11-23', reference: 'crash' })).status).toBe(
      201,
    );
    target.setHold(false);
    const next = dispatcher(s, [target.url], { timeoutMs: 1_500 });
    try {
      const feed = await allDelivered(s, target);
      expectOrderedDelivery(target, feed);
      expect(feed.some((e) => e.aggregate.id === buyer.id && e.type === 'payment.recorded.v1')).toBe(true);
      for (const id of inFlight) expect(target.ids().has(id)).toBe(true);
      const rows = await s.db.selectFrom('webhook_deliveries').select(['status']).where('endpoint', '=', target.url).execute();
      expect(rows.length).toBe(feed.length);
      expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    } finally {
      await next.stop();
    }
  });
});
