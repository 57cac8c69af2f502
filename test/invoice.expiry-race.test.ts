import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, stockOf } from './support/fixtures.js';
import { newCustomer, orderInvoice, type Call } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

// Invoices that expire four seconds after confirmation, so commands can meet the expiry for real.
// (The long timers are skipped on the time-skipping server in invoice.timers.test.ts; this race
// runs on the dev server because the time-skipping server now and then left it hanging.)
let s: TestStack;
let me: { id: string; call: Call };
beforeAll(async () => {
  s = await startTestStack({ INVOICE_TTL: '4s', INVOICE_REMINDER_BEFORE: '1s' });
  await addProduct(s.db, 'XR-A', { onHand: 1000 });
  me = await newCustomer(s);
});
afterAll(() => s.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OFFSETS = [-1500, -200, -50, 0, 50, 200, 1500];

async function events(invoiceId: string): Promise<string[]> {
  const rows = await s.db.selectFrom('invoice_events').select('action').where('invoice_id', '=', invoiceId).orderBy('seq').execute();
  return rows.map((r) => r.action);
}

/** Runs `act` `offsetMs` around the invoice's deadline and returns what the API answered. */
async function atDeadline(offsetMs: number, prepare: (id: string) => Promise<unknown>, act: (id: string) => Promise<{ status: number }>) {
  const invoice = (await orderInvoice(me.call, { 'XR-A': 5 })).body;
  await prepare(invoice.id);
  const current = (await me.call('GET', `/v1/invoices/${invoice.id}`)).body;
  await sleep(Math.max(0, Date.parse(current.expiresAt) - Date.now() + offsetMs));
  return { id: invoice.id as string, answer: await act(invoice.id) };
}

describe('expiry racing a customer command', () => {
  it('cancel: exactly one of them deletes the invoice, and the stock is released once', async () => {
    const outcomes: string[] = [];
    for (const offset of OFFSETS) {
      const { id, answer } = await atDeadline(
        offset,
        async () => undefined,
        (invoiceId) => me.call('POST', `/v1/invoices/${invoiceId}/cancel`),
      );
      await expect.poll(async () => (await me.call('GET', `/v1/invoices/${id}`)).body.status, { timeout: 10_000 }).toBe('deleted');
      const done = (await events(id)).filter((a) => a === 'cancel' || a === 'expire');
      expect(done, `offset ${offset}`).toHaveLength(1);
      expect(answer.status === 200, `offset ${offset}: ${answer.status}`).toBe(done[0] === 'cancel');
      if (answer.status !== 200) expect(answer.status).toBe(409);
      outcomes.push(done[0] ?? '');
      expect(await stockOf(s.db, 'XR-A')).toMatchObject({ reserved: 0, reservationsSum: 0 });
    }
    expect(outcomes[0]).toBe('cancel');
    expect(outcomes.at(-1)).toBe('expire');
  });

  it('confirmation: either it restarts the clock or the expiry wins, never both', async () => {
    const outcomes: string[] = [];
    for (const offset of OFFSETS) {
      const { id, answer } = await atDeadline(
        offset,
        (invoiceId) => me.call('PATCH', `/v1/invoices/${invoiceId}`, { lines: [{ sku: 'XR-A', quantity: 4 }] }),
        (invoiceId) => me.call('POST', `/v1/invoices/${invoiceId}/submit`),
      );
      const view = (await me.call('GET', `/v1/invoices/${id}`)).body;
      const actions = await events(id);
      if (answer.status === 200) {
        outcomes.push('confirmed');
        expect(actions, `offset ${offset}`).not.toContain('expire');
        expect(view.status).toBe('confirmed');
        expect(await s.db.selectFrom('reservations').select('quantity').where('invoice_id', '=', id).execute()).toEqual([{ quantity: 4 }]);
        await me.call('POST', `/v1/invoices/${id}/cancel`); // release it for the next round
      } else {
        outcomes.push('expired');
        expect(answer.status, `offset ${offset}`).toBe(409);
        expect(actions).toContain('expire');
        expect(actions).not.toContain('submit');
        expect(view.status).toBe('deleted');
      }
      expect(await stockOf(s.db, 'XR-A')).toMatchObject({ reserved: 0, reservationsSum: 0 });
    }
    expect(outcomes[0]).toBe('confirmed');
    expect(outcomes.at(-1)).toBe('expired');
  });
});
