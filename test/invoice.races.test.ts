import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from './support/fixtures.js';
import { client } from './support/http.js';
import { stockViolations } from './support/invariants.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * F9: cancel, expiry, confirmation, a stock cut and a merge all racing on one invoice, at its
 * deadline. Exactly one of the outcomes that end it happens, and its stock is released once.
 */
let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ INVOICE_TTL: '4s', INVOICE_REMINDER_BEFORE: '1s' });
});
afterAll(() => s.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENDINGS = ['cancel', 'expire', 'merged'];

describe('everything at once on one invoice', () => {
  it.each([-300, -50, 0, 50, 300])('at the deadline %s ms', async (offset) => {
    const sku = `RC-${offset < 0 ? 'm' : 'p'}${Math.abs(offset)}`;
    await addProduct(s.db, sku, { onHand: 12 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { [sku]: 6 })).body;
    const b = (await orderInvoice(me.call, { [sku]: 6 })).body;
    await sleep(Math.max(0, Date.parse(a.expiresAt) - Date.now() + offset));
    const warehouse = client(s.app, staff.warehouse);
    const answers = await Promise.all([
      me.call('POST', `/v1/invoices/${a.id}/cancel`),
      me.call('POST', `/v1/invoices/${a.id}/submit`),
      me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] }),
      warehouse('PUT', `/v1/warehouse/stock/${sku}`, { onHand: 9 }),
    ]);
    expect(answers.filter((r) => r.status >= 500).map((r) => r.body)).toEqual([]);
    await expect.poll(() => stockViolations(s.db), { timeout: 20_000, interval: 200 }).toEqual([]);

    const rows = await s.db.selectFrom('invoice_events').select('action').where('invoice_id', '=', a.id).orderBy('seq').execute();
    const actions = rows.map((r) => r.action);
    const firstEnd = actions.findIndex((x) => ENDINGS.includes(x));
    // Whatever ended it came once, and nothing but the merge's own cleanup happened after it.
    expect(actions.filter((x) => ENDINGS.includes(x)).length, actions.join(',')).toBeLessThanOrEqual(1);
    if (firstEnd >= 0)
      expect(
        actions.slice(firstEnd + 1).every((x) => x === 'merge_cleanup'),
        actions.join(','),
      ).toBe(true);
    const stock = await s.db.selectFrom('stock').select(['on_hand', 'reserved']).where('sku', '=', sku).executeTakeFirstOrThrow();
    expect(stock.on_hand).toBe(9);
    expect(stock.reserved).toBeLessThanOrEqual(9);
  });
});
