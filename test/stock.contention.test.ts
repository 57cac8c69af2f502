import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from './support/fixtures.js';
import { client } from './support/http.js';
import { ordersWithoutInvoice, stockViolations } from './support/invariants.js';
import { newCustomer, staff, waitForInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/** F8: 256 clients on scarce stock with overlapping multi-line orders while the warehouse corrects stock. */
let s: TestStack;
beforeAll(async () => {
  // A burst of 256 writes in one process on two cores queues for connections longer than the
  // default API_DB_CONNECT_TIMEOUT (1 s, then 503): sized here as a deployment expecting it.
  s = await startTestStack({ API_DB_CONNECT_TIMEOUT: '15s' });
});
afterAll(() => s.stop());

const SKUS = ['SC-A', 'SC-B', 'SC-C', 'SC-D'];

describe('scarce stock under contention', () => {
  it('sells exactly the stock there is, with no 5xx and balanced books', async () => {
    for (const sku of SKUS) await addProduct(s.db, sku, { onHand: 40 });
    const customers = await Promise.all(Array.from({ length: 256 }, () => newCustomer(s)));
    // Every customer wants two or three overlapping SKUs, 1–3 pieces each: demand far above supply.
    await Promise.all(
      customers.map(async (c, i) => {
        for (let k = 0; k < 2 + (i % 2); k++) {
          const sku = SKUS[(i + k) % SKUS.length] ?? 'SC-A';
          expect((await c.call('PUT', `/v1/cart/items/${sku}`, { quantity: 1 + ((i + k) % 3) })).status).toBe(200);
        }
      }),
    );
    const warehouse = client(s.app, staff.warehouse);
    const [answers, corrections] = await Promise.all([
      Promise.all(customers.map((c) => c.call('POST', '/v1/cart/checkout', { target: 'new' }))),
      Promise.all(
        SKUS.map(async (sku, i) => {
          await new Promise((r) => setTimeout(r, 200 * (i + 1)));
          // Behind hundreds of order activities on two cores a correction can outlast the API's
          // Temporal deadline: it answers 503 + Retry-After, and the warehouse retries as told.
          for (let attempt = 0; ; attempt++) {
            const reply = await warehouse('PUT', `/v1/warehouse/stock/${sku}`, { onHand: 30 });
            if (reply.status !== 503 || attempt === 5) return reply;
            expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
            await new Promise((r) => setTimeout(r, 1000 * Number(reply.headers.get('retry-after'))));
          }
        }),
      ),
    ]);
    expect(answers.filter((a) => a.status >= 500).length).toBe(0);
    expect(answers.filter((a) => a.status !== 202).map((a) => a.body)).toEqual([]);
    expect(corrections.map((c) => c.status)).toEqual([200, 200, 200, 200]);

    const orderIds = answers.map((a) => a.body.orderId as string);
    await Promise.all(customers.map((c, i) => waitForInvoice(c.call, orderIds[i] ?? '')));
    expect(await ordersWithoutInvoice(s.db, orderIds)).toEqual([]);
    // Cuts reach their invoices by signal: wait until every invoice approves what it holds.
    await expect.poll(() => stockViolations(s.db), { timeout: 60_000, interval: 500 }).toEqual([]);
    const stock = await s.db.selectFrom('stock').select(['sku', 'on_hand', 'reserved']).where('sku', 'in', SKUS).orderBy('sku').execute();
    // Demand exceeds supply all along, so every piece left on hand is sold, none twice.
    expect(stock).toEqual(SKUS.map((sku) => ({ sku, on_hand: 30, reserved: 30 })));
    const approved = await s.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', 'in', ['confirmed', 'changed'])
      .executeTakeFirstOrThrow();
    expect(Number(approved.n)).toBe(256);
  });
});
