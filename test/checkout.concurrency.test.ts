import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from './support/fixtures.js';
import { ordersWithoutInvoice, stockViolations } from './support/invariants.js';
import { newCustomer, orderInvoice, waitForInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Checkouts under load on pools as small as `npm start` could be configured with: nothing may
 * hold a connection while it waits for Temporal, or the API starves the worker it waits on.
 */
let s: TestStack;
beforeAll(async () => {
  // Waiting up to 15 s for a connection: a request that held one while waiting on Temporal would
  // exhaust that and fail the test with 503s, instead of passing by luck. Temporal's own deadline
  // is longer than that, so a slow machine (200 updates on 2 busy cores) is not mistaken for it.
  s = await startTestStack({ DB_POOL_API: '4', DB_POOL_WORKER: '4', API_DB_CONNECT_TIMEOUT: '15s', API_TEMPORAL_TIMEOUT: '60s' });
});
afterAll(() => s.stop());

async function settledInvariants(): Promise<string[]> {
  let violations: string[] = [];
  await expect
    .poll(
      async () => {
        violations = await stockViolations(s.db);
        return violations.length;
      },
      { timeout: 30_000, interval: 250 },
    )
    .toBe(0);
  return violations;
}

describe('checkouts at once', () => {
  it('twelve companies add to their own invoices while five place orders: all answer, /readyz throughout', async () => {
    await addProduct(s.db, 'CC-A', { onHand: 10_000 });
    await addProduct(s.db, 'CC-B', { onHand: 10_000 });
    const adders = await Promise.all(Array.from({ length: 12 }, () => newCustomer(s)));
    const invoices = await Promise.all(adders.map((c) => orderInvoice(c.call, { 'CC-A': 1 })));
    const placers = await Promise.all(Array.from({ length: 5 }, () => newCustomer(s)));
    for (const c of [...adders, ...placers]) expect((await c.call('PUT', '/v1/cart/items/CC-B', { quantity: 3 })).status).toBe(200);

    let probing = true;
    const probes: number[] = [];
    const probe = (async () => {
      while (probing) {
        probes.push((await s.app.request('/readyz')).status);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const answers = await Promise.all([
      ...adders.map((c, i) => c.call('POST', '/v1/cart/checkout', { target: { invoiceId: invoices[i]?.body.id } })),
      ...placers.map((c) => c.call('POST', '/v1/cart/checkout', { target: 'new' })),
    ]);
    probing = false;
    await probe;
    expect(answers.map((a) => a.status)).toEqual(Array(17).fill(202));
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((p) => p === 200)).toBe(true);

    for (const [i, c] of adders.entries()) {
      const invoice = await c.call('GET', `/v1/invoices/${invoices[i]?.body.id}`);
      expect(invoice.body.lines.map((l: { sku: string; approved: number }) => [l.sku, l.approved])).toEqual([
        ['CC-A', 1],
        ['CC-B', 3],
      ]);
      expect((await c.call('GET', '/v1/cart')).body.lines).toEqual([]);
    }
    const orderIds = answers.slice(12).map((a) => a.body.orderId as string);
    await Promise.all(placers.map((c, i) => waitForInvoice(c.call, orderIds[i] ?? '')));
    expect(await ordersWithoutInvoice(s.db, orderIds)).toEqual([]);
    expect(await settledInvariants()).toEqual([]);
  });

  it('the same cart sent twice at once (a double click) is one order, and into an invoice is added once', async () => {
    await addProduct(s.db, 'CC-C', { onHand: 100 });
    const me = await newCustomer(s);
    await me.call('PUT', '/v1/cart/items/CC-C', { quantity: 2 });
    const [a, b] = await Promise.all([me.call('POST', '/v1/cart/checkout', { target: 'new' }), me.call('POST', '/v1/cart/checkout', { target: 'new' })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.orderId).toBe(b.body.orderId);
    const invoiceId = await waitForInvoice(me.call, a.body.orderId);
    expect(await s.db.selectFrom('orders').select('id').where('customer_id', '=', me.id).execute()).toHaveLength(1);

    await me.call('PUT', '/v1/cart/items/CC-C', { quantity: 5 });
    const target = { target: { invoiceId } };
    const both = await Promise.all([me.call('POST', '/v1/cart/checkout', target), me.call('POST', '/v1/cart/checkout', target)]);
    expect(both.map((r) => r.status)).toEqual([202, 202]);
    const invoice = await me.call('GET', `/v1/invoices/${invoiceId}`);
    expect(invoice.body.lines).toMatchObject([{ sku: 'CC-C', requested: 7, approved: 7 }]);
    expect(await settledInvariants()).toEqual([]);
  });

  it('a refused add keeps the cart; a line changed during a checkout stays in the cart', async () => {
    await addProduct(s.db, 'CC-D', { onHand: 100 });
    const me = await newCustomer(s);
    const invoice = await orderInvoice(me.call, { 'CC-D': 1 });
    expect((await me.call('POST', `/v1/invoices/${invoice.body.id}/ship`)).status).toBe(200);
    await me.call('PUT', '/v1/cart/items/CC-D', { quantity: 4 });
    expect(await me.call('POST', '/v1/cart/checkout', { target: { invoiceId: invoice.body.id } })).toMatchObject({
      status: 409,
      body: { code: 'invoice_locked' },
    });
    expect((await me.call('GET', '/v1/cart')).body.lines).toMatchObject([{ sku: 'CC-D', quantity: 4 }]);
  });

  it('200 checkouts into existing invoices and new orders at once all complete, with exact stock', async () => {
    await addProduct(s.db, 'CC-E', { onHand: 150 });
    await addProduct(s.db, 'CC-F', { onHand: 100_000 });
    const adders = await Promise.all(Array.from({ length: 100 }, () => newCustomer(s)));
    const invoices: string[] = [];
    for (let i = 0; i < adders.length; i += 20) {
      const batch = await Promise.all(adders.slice(i, i + 20).map((c) => orderInvoice(c.call, { 'CC-F': 1 })));
      invoices.push(...batch.map((r) => r.body.id as string));
    }
    const placers = await Promise.all(Array.from({ length: 100 }, () => newCustomer(s)));
    await Promise.all([...adders, ...placers].map((c) => c.call('PUT', '/v1/cart/items/CC-E', { quantity: 1 })));

    const answers = await Promise.all([
      ...adders.map((c, i) => c.call('POST', '/v1/cart/checkout', { target: { invoiceId: invoices[i] } })),
      ...placers.map((c) => c.call('POST', '/v1/cart/checkout', { target: 'new' })),
    ]);
    expect(answers.filter((a) => a.status !== 202).map((a) => [a.status, a.body])).toEqual([]);
    const orderIds = answers.slice(100).map((a) => a.body.orderId as string);
    await Promise.all(placers.map((c, i) => waitForInvoice(c.call, orderIds[i] ?? '')));
    expect(await ordersWithoutInvoice(s.db, orderIds)).toEqual([]);
    expect(await settledInvariants()).toEqual([]);
    const row = await s.db.selectFrom('stock').select(['on_hand', 'reserved']).where('sku', '=', 'CC-E').executeTakeFirstOrThrow();
    // 200 customers asked for one piece each of 150: exactly 150 are held, none twice.
    expect(row).toEqual({ on_hand: 150, reserved: 150 });
    expect((await s.app.request('/readyz')).status).toBe(200);
  });
});
