import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, stockOf } from './support/fixtures.js';
import { newCustomer, orderInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

// Invoices that expire four seconds after confirmation, so a merge can meet the expiry for real.
let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ INVOICE_TTL: '4s', INVOICE_REMINDER_BEFORE: '1s' });
});
afterAll(() => s.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const held = async (invoiceId: string) =>
  (await s.db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).execute()).map((r) => [r.sku, r.quantity]);

describe('a merge racing the expiry of its sources', () => {
  it('ends in exactly one outcome, with no stock lost or held twice', async () => {
    await addProduct(s.db, 'RX-A', { onHand: 1000 });
    const me = await newCustomer(s);
    const outcomes: string[] = [];
    // from well before the deadline to well after it
    for (const waitMs of [0, 3700, 3900, 4000, 4100, 5500]) {
      const a = (await orderInvoice(me.call, { 'RX-A': 2 })).body;
      const b = (await orderInvoice(me.call, { 'RX-A': 3 })).body;
      await sleep(Math.max(0, Date.parse(a.expiresAt) - Date.now() - 4000 + waitMs));
      const merge = await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] });
      const [va, vb] = [(await me.call('GET', `/v1/invoices/${a.id}`)).body, (await me.call('GET', `/v1/invoices/${b.id}`)).body];
      if (merge.status === 202) {
        outcomes.push('merged');
        expect([va.status, vb.status]).toEqual(['marked_for_deletion', 'marked_for_deletion']);
        expect(await held(merge.body.invoiceId)).toEqual([['RX-A', 5]]);
        expect([await held(a.id), await held(b.id)]).toEqual([[], []]);
      } else {
        outcomes.push('refused');
        expect(merge.status).toBe(409);
        // a source that expired released its stock; nothing went anywhere else
        for (const v of [va, vb]) {
          expect(['deleted', 'confirmed']).toContain(v.status);
          expect(await held(v.id)).toEqual(v.status === 'deleted' ? [] : [['RX-A', v.lines[0].approved]]);
        }
      }
      const stock = await stockOf(s.db, 'RX-A');
      expect(stock.reserved).toBe(stock.reservationsSum);
    }
    expect(outcomes[0]).toBe('merged');
    expect(outcomes.at(-1)).toBe('refused');
  });
});
