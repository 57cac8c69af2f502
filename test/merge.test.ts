import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, stockOf } from './support/fixtures.js';
import { client } from './support/http.js';
import { newCustomer, orderInvoice, staff, type Call } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
beforeAll(async () => {
  // A short cleanup window so the test can watch it close; the 5-minute default is skipped on
  // the time-skipping server in merge.timers.test.ts.
  s = await startTestStack({ MERGE_CLEANUP_DELAY: '3s' });
});
afterAll(() => s.stop());

const held = async (invoiceId: string) =>
  Object.fromEntries(
    (await s.db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).execute()).map((r) => [r.sku, r.quantity]),
  );
const invoiceCount = async (customerId: string) => (await s.db.selectFrom('invoices').select('id').where('customer_id', '=', customerId).execute()).length;
const get = async (call: Call, id: string) => (await call('GET', `/v1/invoices/${id}`)).body;

describe('merging invoices', () => {
  it('merges into a new draft with summed lines and the same stock held, then cleans the sources up', async () => {
    await addProduct(s.db, 'MR-A', { onHand: 100 });
    await addProduct(s.db, 'MR-B', { onHand: 100 });
    const me = await newCustomer(s);
    const one = (await orderInvoice(me.call, { 'MR-A': 5, 'MR-B': 2 })).body;
    const two = (await orderInvoice(me.call, { 'MR-A': 3 })).body;
    await me.call('PATCH', `/v1/invoices/${two.id}`, { lines: [{ sku: 'MR-A', quantity: 2 }] }); // a draft may be merged too
    const before = { a: await stockOf(s.db, 'MR-A'), b: await stockOf(s.db, 'MR-B') };

    const merged = await me.call('POST', '/v1/invoices/merge', { invoiceIds: [one.id, two.id] });
    expect(merged.status).toBe(202);
    const newId = merged.body.invoiceId;
    expect(merged.headers.get('location')).toBe(`/v1/invoices/${newId}`);
    const created = await get(me.call, newId);
    expect(created).toMatchObject({ status: 'draft', mergedFrom: [one.id, two.id], number: expect.stringMatching(/^СЧ-/) });
    expect(created.lines.map((l: { sku: string; requested: number; approved: number }) => [l.sku, l.requested, l.approved])).toEqual([
      ['MR-A', 7, 7],
      ['MR-B', 2, 2],
    ]);
    expect(await held(newId)).toEqual({ 'MR-A': 7, 'MR-B': 2 });
    expect(await held(one.id)).toEqual({});
    expect(await held(two.id)).toEqual({});
    expect(await stockOf(s.db, 'MR-A')).toEqual(before.a);
    expect(await stockOf(s.db, 'MR-B')).toEqual(before.b);

    for (const source of [one, two]) {
      const view = await get(me.call, source.id);
      expect(view).toMatchObject({ status: 'marked_for_deletion', statusLabel: 'Помечен на удаление', mergedInto: newId, allowedActions: [], expiresAt: null });
      for (const action of ['submit', 'ship', 'cancel']) {
        expect((await me.call('POST', `/v1/invoices/${source.id}/${action}`)).status, action).toBe(409);
      }
    }
    // the new invoice is a draft: confirmation first, like any draft
    expect(await me.call('POST', `/v1/invoices/${newId}/ship`)).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });

    // the cleanup window closes: sources deleted, stock still held by the new invoice
    await expect.poll(async () => (await get(me.call, one.id)).status, { timeout: 15_000 }).toBe('deleted');
    await expect.poll(async () => (await get(me.call, two.id)).status, { timeout: 15_000 }).toBe('deleted');
    expect(await stockOf(s.db, 'MR-A')).toEqual(before.a);
    expect(await held(newId)).toEqual({ 'MR-A': 7, 'MR-B': 2 });
    expect(await me.call('POST', `/v1/invoices/${newId}/unmerge`)).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });

    expect((await me.call('POST', `/v1/invoices/${newId}/submit`)).body.status).toBe('confirmed');
    expect((await me.call('POST', `/v1/invoices/${newId}/ship`)).body.status).toBe('shipment_confirmed');
  });

  it('refuses ineligible or foreign invoices before anything starts', async () => {
    await addProduct(s.db, 'MR-C', { onHand: 100 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { 'MR-C': 1 })).body;
    const b = (await orderInvoice(me.call, { 'MR-C': 1 })).body;
    await me.call('POST', `/v1/invoices/${b.id}/ship`);
    const stranger = await newCustomer(s);
    const theirs = (await orderInvoice(stranger.call, { 'MR-C': 1 })).body;
    const count = await invoiceCount(me.id);

    expect(await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] })).toMatchObject({ status: 409, body: { code: 'invoice_locked' } });
    expect(await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, theirs.id] })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id] })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, a.id] })).toMatchObject({ status: 400 });
    expect(await invoiceCount(me.id)).toBe(count);
    expect((await get(me.call, a.id)).status).toBe('confirmed');
    expect(await held(a.id)).toEqual({ 'MR-C': 1 });
  });

  it('lets only one of two merges sharing an invoice win; the loser leaves no trace', async () => {
    await addProduct(s.db, 'MR-D', { onHand: 100 });
    const me = await newCustomer(s);
    const [x, y, z] = [
      (await orderInvoice(me.call, { 'MR-D': 1 })).body,
      (await orderInvoice(me.call, { 'MR-D': 2 })).body,
      (await orderInvoice(me.call, { 'MR-D': 4 })).body,
    ];
    const stock = await stockOf(s.db, 'MR-D');
    const results = await Promise.all([
      me.call('POST', '/v1/invoices/merge', { invoiceIds: [x.id, y.id] }),
      me.call('POST', '/v1/invoices/merge', { invoiceIds: [z.id, y.id] }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409]);
    const winner = results.find((r) => r.status === 202)?.body.invoiceId as string;
    const loserSources = results[0]?.status === 202 ? [z] : [x];
    expect(await invoiceCount(me.id)).toBe(4); // three sources + one merged
    for (const source of loserSources) {
      const view = await get(me.call, source.id);
      expect(view).toMatchObject({ status: 'confirmed', mergedInto: null, version: 1 });
      expect(await held(source.id)).toEqual({ 'MR-D': source.lines[0].approved });
    }
    const merged = await get(me.call, winner);
    expect(await held(winner)).toEqual({ 'MR-D': merged.lines[0].approved });
    expect(await stockOf(s.db, 'MR-D')).toEqual(stock);
  });

  it('a retry under the same Idempotency-Key after a lost answer joins the merge it started', async () => {
    await addProduct(s.db, 'MR-K', { onHand: 100 });
    const me = await newCustomer(s);
    const [x, y] = [(await orderInvoice(me.call, { 'MR-K': 1 })).body, (await orderInvoice(me.call, { 'MR-K': 2 })).body];
    const key = { 'Idempotency-Key': `merge-${x.id}` };
    const first = await me.call('POST', '/v1/invoices/merge', { invoiceIds: [x.id, y.id] }, key);
    expect(first.status).toBe(202);
    // The answer never reached the client and its stored copy is gone, as after a 503 that came
    // once the saga had started: the repeat finds its sources merged and must not refuse.
    await s.db.deleteFrom('idempotency_keys').where('key', '=', key['Idempotency-Key']).execute();
    const again = await me.call('POST', '/v1/invoices/merge', { invoiceIds: [x.id, y.id] }, key);
    expect(again).toMatchObject({ status: 202, body: { invoiceId: first.body.invoiceId } });
    expect(await invoiceCount(me.id)).toBe(3);
    // Without a key the same request is a new merge, refused because the sources are merged.
    expect(await me.call('POST', '/v1/invoices/merge', { invoiceIds: [x.id, y.id] })).toMatchObject({ status: 409 });
  });

  it('a merge racing a ship of a source: exactly one wins', async () => {
    await addProduct(s.db, 'MR-E', { onHand: 100 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { 'MR-E': 1 })).body;
    const b = (await orderInvoice(me.call, { 'MR-E': 2 })).body;
    const stock = await stockOf(s.db, 'MR-E');
    const [merge, ship] = await Promise.all([
      me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] }),
      me.call('POST', `/v1/invoices/${b.id}/ship`),
    ]);
    expect([merge.status, ship.status].filter((st) => st === 409)).toHaveLength(1);
    const bAfter = await get(me.call, b.id);
    if (merge.status === 202) {
      expect(bAfter.status).toBe('marked_for_deletion');
      expect(await held(merge.body.invoiceId)).toEqual({ 'MR-E': 3 });
    } else {
      expect(bAfter.status).toBe('shipment_confirmed');
      expect((await get(me.call, a.id)).status).toBe('confirmed');
      expect(await held(a.id)).toEqual({ 'MR-E': 1 });
      expect(await invoiceCount(me.id)).toBe(2);
    }
    expect(await stockOf(s.db, 'MR-E')).toEqual(stock);
  });

  it('a merge racing an edit of a source loses no update', async () => {
    await addProduct(s.db, 'MR-F', { onHand: 100 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { 'MR-F': 5 })).body;
    const b = (await orderInvoice(me.call, { 'MR-F': 5 })).body;
    const [merge, edit] = await Promise.all([
      me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] }),
      me.call('PATCH', `/v1/invoices/${b.id}`, { lines: [{ sku: 'MR-F', quantity: 1 }] }, { 'If-Match': '1' }),
    ]);
    expect(merge.status).toBe(202);
    const merged = await get(me.call, merge.body.invoiceId);
    // either the edit came first and the merge carries it, or the merge came first and refused it
    if (edit.status === 200) expect(merged.lines[0]).toMatchObject({ requested: 6, approved: 6 });
    else {
      expect(edit.status).toBe(409);
      expect(merged.lines[0]).toMatchObject({ requested: 10, approved: 10 });
    }
    expect(await held(merge.body.invoiceId)).toEqual({ 'MR-F': merged.lines[0].approved });
  });

  it('undoes a merge: sources come back with their lines and stock, the new invoice goes', async () => {
    await addProduct(s.db, 'MR-G', { onHand: 100 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { 'MR-G': 3 })).body;
    const b = (await orderInvoice(me.call, { 'MR-G': 4 })).body;
    await me.call('PATCH', `/v1/invoices/${b.id}`, { lines: [{ sku: 'MR-G', quantity: 2 }] });
    const stock = await stockOf(s.db, 'MR-G');
    const newId = (await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] })).body.invoiceId;
    const other = await newCustomer(s);
    expect((await other.call('POST', `/v1/invoices/${newId}/unmerge`)).status).toBe(404);
    const undone = await me.call('POST', `/v1/invoices/${newId}/unmerge`);
    expect(undone).toMatchObject({ status: 200, body: { invoiceId: newId, restoredInvoiceIds: [a.id, b.id] } });
    expect((await get(me.call, newId)).status).toBe('deleted');
    expect(await get(me.call, a.id)).toMatchObject({ status: 'confirmed', mergedInto: null, lines: [expect.objectContaining({ approved: 3 })] });
    expect(await get(me.call, b.id)).toMatchObject({ status: 'draft', mergedInto: null, lines: [expect.objectContaining({ approved: 2 })] });
    expect(await held(a.id)).toEqual({ 'MR-G': 3 });
    expect(await held(b.id)).toEqual({ 'MR-G': 2 });
    expect(await held(newId)).toEqual({});
    expect(await stockOf(s.db, 'MR-G')).toEqual(stock);
    // A second undo (a stale tab) is told the merge is already undone, not that the sources are gone.
    expect(await me.call('POST', `/v1/invoices/${newId}/unmerge`)).toMatchObject({
      status: 409,
      body: { code: 'invalid_transition', detail: expect.stringContaining('уже отменено') },
    });
    // the restored sources live on normally, past the old cleanup window
    await new Promise((r) => setTimeout(r, 3500));
    expect((await me.call('POST', `/v1/invoices/${a.id}/ship`)).body.status).toBe('shipment_confirmed');
    expect((await get(me.call, b.id)).status).toBe('draft');
  });

  it('refuses to undo a merge once the new invoice was changed', async () => {
    await addProduct(s.db, 'MR-H', { onHand: 100 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { 'MR-H': 3 })).body;
    const b = (await orderInvoice(me.call, { 'MR-H': 4 })).body;
    const newId = (await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] })).body.invoiceId;
    await me.call('PATCH', `/v1/invoices/${newId}`, { lines: [{ sku: 'MR-H', quantity: 5 }] });
    expect(await me.call('POST', `/v1/invoices/${newId}/unmerge`)).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    expect((await get(me.call, a.id)).status).toBe('marked_for_deletion');
    expect((await get(me.call, newId)).status).toBe('draft');
    expect(await held(newId)).toEqual({ 'MR-H': 5 });
    // the refused undo does not stop the cleanup, nor leave the new invoice held
    await expect.poll(async () => (await get(me.call, b.id)).status, { timeout: 15_000 }).toBe('deleted');
    expect((await me.call('POST', `/v1/invoices/${newId}/submit`)).body.status).toBe('confirmed');
  });
});

describe('who may merge', () => {
  it('only customers', async () => {
    const manager = client(s.app, staff.manager('m@x.example'));
    expect((await manager('POST', '/v1/invoices/merge', { invoiceIds: [crypto.randomUUID(), crypto.randomUUID()] })).status).toBe(403);
  });
});
