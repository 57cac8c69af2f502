import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editInvoiceUpdate, submitInvoiceUpdate } from '../core/contracts/invoice-messages.js';
import { getInvoiceQuery } from '../core/contracts/invoice.js';
import { addCustomer, addProduct, stockOf } from './support/fixtures.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

const DAY = 24 * 3600 * 1000;
const customer = { type: 'customer' as const, id: 'buyer' };

let s: TimeSkippingStack;
beforeAll(async () => {
  s = await startTimeSkippingStack();
});
afterAll(() => s.stop());

async function emailKeys(invoiceId: string): Promise<string[]> {
  const rows = await s.db.selectFrom('email_log').select('key').where('key', 'like', `invoice/${invoiceId}/%`).orderBy('created_at').execute();
  return rows.map((r) => r.key);
}

/** When (workflow time) the invoice was deleted, in ms after `from`. */
async function deletedAfter(invoiceId: string, from: number): Promise<number> {
  const row = await s.db
    .selectFrom('invoice_events')
    .select('at')
    .where('invoice_id', '=', invoiceId)
    .where('to_status', '=', 'deleted')
    .executeTakeFirstOrThrow();
  return row.at.getTime() - from;
}

async function actions(invoiceId: string): Promise<string[]> {
  const rows = await s.db.selectFrom('invoice_events').select('action').where('invoice_id', '=', invoiceId).orderBy('seq').execute();
  return rows.map((r) => r.action);
}

describe('invoice expiry (time-skipping server)', () => {
  it('reminds two days before and deletes after ten days, releasing stock', async () => {
    const customerId = await addCustomer(s.db);
    await addProduct(s.db, 'TS-A', { onHand: 10 });
    await s.withWorker(async () => {
      const started = await s.env.currentTimeMs();
      const { state, handle } = await s.startInvoice(customerId, [{ sku: 'TS-A', quantity: 4 }]);
      expect(await stockOf(s.db, 'TS-A')).toMatchObject({ reserved: 4 });
      const final = await handle.result();
      expect(final.status).toBe('deleted');
      const elapsed = await deletedAfter(state.id, started);
      expect(elapsed).toBeGreaterThanOrEqual(10 * DAY);
      expect(elapsed).toBeLessThan(10 * DAY + 60_000);
      expect(await stockOf(s.db, 'TS-A')).toEqual({ onHand: 10, reserved: 0, reservationsSum: 0 });
      expect(await emailKeys(state.id)).toEqual([
        `invoice/${state.id}/created`,
        `invoice/${state.id}/reminder/${state.expiresAt}`,
        `invoice/${state.id}/expired`,
      ]);
      expect(await actions(state.id)).toEqual(['create', 'expire']);
      const row = await s.db.selectFrom('invoices').select(['status', 'expires_at']).where('id', '=', state.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'deleted', expires_at: null });
    });
  });

  it('restarts the clock on every confirmation', async () => {
    const customerId = await addCustomer(s.db);
    await addProduct(s.db, 'TS-B', { onHand: 10 });
    await s.withWorker(async () => {
      const started = await s.env.currentTimeMs();
      const { state, handle } = await s.startInvoice(customerId, [{ sku: 'TS-B', quantity: 4 }]);
      await s.env.sleep(9 * DAY);
      await handle.executeUpdate(editInvoiceUpdate, { args: [{ actor: customer, requestId: 'e1', lines: [{ sku: 'TS-B', quantity: 3 }] }] });
      const confirmed = await handle.executeUpdate(submitInvoiceUpdate, { args: [{ actor: customer, requestId: 's1' }] });
      expect(confirmed.status).toBe('confirmed');
      expect(Date.parse(confirmed.expiresAt ?? '')).toBeGreaterThanOrEqual(started + 19 * DAY);
      await s.env.sleep(2 * DAY); // day 11: the first deadline has passed, the invoice lives on
      expect((await handle.query(getInvoiceQuery)).status).toBe('confirmed');
      const final = await handle.result();
      expect(final.status).toBe('deleted');
      const elapsed = await deletedAfter(state.id, started);
      expect(elapsed).toBeGreaterThanOrEqual(19 * DAY);
      expect(elapsed).toBeLessThan(19 * DAY + 60_000);
      // one reminder per deadline: the first one (day 8) and the new one (day 17)
      expect((await emailKeys(state.id)).filter((k) => k.includes('/reminder/'))).toHaveLength(2);
      expect(await stockOf(s.db, 'TS-B')).toMatchObject({ reserved: 0 });
    });
  });
});
