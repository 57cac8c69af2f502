import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, stockOf } from './support/fixtures.js';
import { client } from './support/http.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/** "Изменен" answered line by line: each changed line accepted or removed, the stock checked after each answer. */

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

const MANAGER = 'vera@supplier.example';
const manager = () => client(s.app, staff.manager(MANAGER));
const warehouse = () => client(s.app, staff.warehouse);
type Line = { sku: string; approved: number; change: unknown };
const bySku = (invoice: { lines: Line[] }) => Object.fromEntries(invoice.lines.map((l) => [l.sku, l]));

/** The invoice's reservations are exactly its approved lines, and every SKU's counters agree. */
async function expectStockExact(invoice: { id: string; lines: Line[] }, skus: string[]) {
  const held = await s.db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoice.id).execute();
  expect(Object.fromEntries(held.map((r) => [r.sku, r.quantity]))).toEqual(
    Object.fromEntries(invoice.lines.filter((l) => l.approved > 0).map((l) => [l.sku, l.approved])),
  );
  for (const sku of skus) {
    const st = await stockOf(s.db, sku);
    expect(st.reserved).toBe(st.reservationsSum);
  }
}

describe('answering a change line by line', () => {
  it("shows what the manager changed, before and after, and takes one line's acceptance and another's removal", async () => {
    await addProduct(s.db, 'AC-A', { onHand: 100, priceKopecks: 10000 });
    await addProduct(s.db, 'AC-B', { onHand: 100, priceKopecks: 5000 });
    await addProduct(s.db, 'AC-C', { onHand: 100 });
    const me = await newCustomer(s, { managerEmail: MANAGER });
    const inv = (await orderInvoice(me.call, { 'AC-A': 10, 'AC-B': 4, 'AC-C': 1 })).body;
    expect(inv.allowedActions).not.toContain('answerChanges');
    const changed = await manager()('POST', `/v1/manager/invoices/${inv.id}/lines`, {
      lines: [
        { sku: 'AC-A', quantity: 7 },
        { sku: 'AC-B', price: '45.00' },
      ],
      comment: 'Остаток партии и новая цена',
    });
    expect(changed.body).toMatchObject({ status: 'changed', allowedActions: expect.arrayContaining(['answerChanges']) });
    // A second change of the same line keeps the line's first "before".
    await manager()('POST', `/v1/manager/invoices/${inv.id}/lines`, { lines: [{ sku: 'AC-A', quantity: 6 }], comment: 'Ещё меньше' });
    const shown = bySku((await me.call('GET', `/v1/invoices/${inv.id}`)).body);
    expect(shown['AC-A']?.change).toMatchObject({
      by: 'manager',
      reason: 'Ещё меньше',
      before: { approved: 10, price: '100.00' },
      after: { approved: 6, price: '100.00' },
    });
    expect(shown['AC-B']?.change).toMatchObject({
      by: 'manager',
      reason: 'Остаток партии и новая цена',
      before: { price: '50.00' },
      after: { price: '45.00' },
    });
    expect(shown['AC-C']?.change).toBeNull();

    // Every changed line needs an answer, and only changed lines take one; nothing moves on a refusal.
    const partial = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, { lines: [{ sku: 'AC-A', answer: 'accept' }] });
    expect(partial).toMatchObject({ status: 400, body: { code: 'validation_failed', detail: expect.stringContaining('AC-B') } });
    const stray = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, {
      lines: [
        { sku: 'AC-A', answer: 'accept' },
        { sku: 'AC-B', answer: 'accept' },
        { sku: 'AC-C', answer: 'remove' },
      ],
    });
    expect(stray).toMatchObject({ status: 400, body: { detail: expect.stringContaining('AC-C не изменялись') } });
    const bad = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, { lines: [{ sku: 'AC-A', answer: 'maybe' }] });
    expect(bad.status).toBe(400);
    expect((await me.call('GET', `/v1/invoices/${inv.id}`)).body.status).toBe('changed');

    const answered = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, {
      lines: [
        { sku: 'AC-A', answer: 'accept' },
        { sku: 'AC-B', answer: 'remove' },
      ],
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'confirmed', expiresAt: expect.any(String) });
    expect(answered.body.lines.map((l: Line) => [l.sku, l.approved, l.change])).toEqual([
      ['AC-A', 6, null],
      ['AC-C', 1, null],
    ]);
    await expectStockExact(answered.body, ['AC-A', 'AC-B', 'AC-C']);
    expect(await stockOf(s.db, 'AC-B')).toMatchObject({ reserved: 0 });

    const history = (await me.call('GET', `/v1/invoices/${inv.id}/history`)).body;
    expect(history.at(-1)).toMatchObject({ action: 'answer_changes', fromStatus: 'changed', toStatus: 'confirmed', details: { removed: ['AC-B'] } });
    // Answered: a second answer is refused, not applied twice.
    expect(await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, { lines: [{ sku: 'AC-A', answer: 'remove' }] })).toMatchObject({
      status: 409,
      body: { code: 'invalid_transition' },
    });
  });

  it('a stock cut shows as a change by the warehouse stock; removing the cut line releases what it still held', async () => {
    await addProduct(s.db, 'AC-CUT', { onHand: 10 });
    await addProduct(s.db, 'AC-KEEP', { onHand: 10 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'AC-CUT': 8, 'AC-KEEP': 2 })).body;
    expect((await warehouse()('PUT', '/v1/warehouse/stock/AC-CUT', { onHand: 3 })).status).toBe(200);
    await expect.poll(async () => (await me.call('GET', `/v1/invoices/${inv.id}`)).body.status).toBe('changed');
    const shown = bySku((await me.call('GET', `/v1/invoices/${inv.id}`)).body);
    expect(shown['AC-CUT']?.change).toMatchObject({
      by: 'stock',
      managerId: null,
      reason: expect.stringContaining('остаток на складе уменьшился'),
      before: { approved: 8 },
      after: { approved: 3 },
    });
    expect(shown['AC-KEEP']?.change).toBeNull();
    expect(await stockOf(s.db, 'AC-CUT')).toMatchObject({ reserved: 3 });

    const answered = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, { lines: [{ sku: 'AC-CUT', answer: 'remove' }] });
    expect(answered.body).toMatchObject({ status: 'confirmed', lines: [expect.objectContaining({ sku: 'AC-KEEP', approved: 2 })] });
    expect(answered.body.lines).toHaveLength(1);
    await expectStockExact(answered.body, ['AC-CUT', 'AC-KEEP']);
    expect(await stockOf(s.db, 'AC-CUT')).toEqual({ onHand: 3, reserved: 0, reservationsSum: 0 });
  });

  it('"keep the new quantity, wait for the rest": the cut line stays, the rest goes on the waitlist once; waiting on a price change is refused', async () => {
    await addProduct(s.db, 'AC-W', { onHand: 10 });
    await addProduct(s.db, 'AC-P', { onHand: 10, priceKopecks: 1000 });
    const me = await newCustomer(s, { managerEmail: MANAGER });
    const inv = (await orderInvoice(me.call, { 'AC-W': 8, 'AC-P': 1 })).body;
    expect((await warehouse()('PUT', '/v1/warehouse/stock/AC-W', { onHand: 3 })).status).toBe(200);
    await expect.poll(async () => (await me.call('GET', `/v1/invoices/${inv.id}`)).body.status).toBe('changed');
    await manager()('POST', `/v1/manager/invoices/${inv.id}/lines`, { lines: [{ sku: 'AC-P', price: '9.00' }], comment: 'Цена' });
    const onPrice = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, {
      lines: [
        { sku: 'AC-W', answer: 'wait' },
        { sku: 'AC-P', answer: 'wait' },
      ],
    });
    expect(onPrice).toMatchObject({ status: 400, body: { detail: expect.stringContaining('AC-P не уменьшены') } });
    const key = { 'Idempotency-Key': `wait-${inv.id}` };
    const body = {
      lines: [
        { sku: 'AC-W', answer: 'wait' },
        { sku: 'AC-P', answer: 'accept' },
      ],
    };
    const answered = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, body, key);
    expect(answered.body).toMatchObject({
      status: 'confirmed',
      lines: [expect.objectContaining({ sku: 'AC-W', approved: 3 }), expect.objectContaining({ sku: 'AC-P' })],
    });
    expect((await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, body, key)).status).toBe(200); // a retry
    const waitlist = (await me.call('GET', '/v1/waitlist')).body.items;
    expect(waitlist).toEqual([expect.objectContaining({ sku: 'AC-W', quantity: 5, status: 'waiting', invoiceId: inv.id })]);
    await expectStockExact(answered.body, ['AC-W', 'AC-P']);
  });

  it('removing every line is refused (cancel deletes an invoice); an edit instead of an answer clears the marks', async () => {
    await addProduct(s.db, 'AC-ONE', { onHand: 10 });
    const me = await newCustomer(s, { managerEmail: MANAGER });
    const inv = (await orderInvoice(me.call, { 'AC-ONE': 5 })).body;
    await manager()('POST', `/v1/manager/invoices/${inv.id}/lines`, { lines: [{ sku: 'AC-ONE', quantity: 4 }], comment: 'Меньше' });
    const all = await me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, { lines: [{ sku: 'AC-ONE', answer: 'remove' }] });
    expect(all).toMatchObject({ status: 400, body: { detail: expect.stringContaining('отмените его') } });
    expect(await stockOf(s.db, 'AC-ONE')).toMatchObject({ reserved: 4 });
    const edited = await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'AC-ONE', quantity: 3 }] });
    expect(edited.body).toMatchObject({ status: 'draft', lines: [expect.objectContaining({ approved: 3, change: null })] });
  });

  it('ten answers sent at once: one applies, the rest are refused, the stock released once', async () => {
    await addProduct(s.db, 'AC-R1', { onHand: 50 });
    await addProduct(s.db, 'AC-R2', { onHand: 50 });
    const me = await newCustomer(s, { managerEmail: MANAGER });
    const inv = (await orderInvoice(me.call, { 'AC-R1': 5, 'AC-R2': 5 })).body;
    await manager()('POST', `/v1/manager/invoices/${inv.id}/lines`, { lines: [{ sku: 'AC-R2', quantity: 2 }], comment: 'Меньше' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => me.call('POST', `/v1/invoices/${inv.id}/answer-changes`, { lines: [{ sku: 'AC-R2', answer: 'remove' }] })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body.code)).toEqual(Array(9).fill('invalid_transition'));
    const after = (await me.call('GET', `/v1/invoices/${inv.id}`)).body;
    expect(after).toMatchObject({ status: 'confirmed', lines: [expect.objectContaining({ sku: 'AC-R1', approved: 5 })] });
    await expectStockExact(after, ['AC-R1', 'AC-R2']);
    expect(await stockOf(s.db, 'AC-R2')).toEqual({ onHand: 50, reserved: 0, reservationsSum: 0 });
  });
});
