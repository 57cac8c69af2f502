// The ERP's stock batches (POST /v1/admin/stock-batches): the warehouse's correction rules per SKU,
// idempotent by batchId, unknown SKUs reported per item; and the outbox's idempotency under
// overlapping attempts of the activity that writes an invoice version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectInvoice } from '../db/invoices.repository.js';
import type { InvoiceState } from '../core/contracts/invoice.js';
import { addProduct, customerUser, stockOf } from './support/fixtures.js';
import { client } from './support/http.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { readFeed } from './support/outbox.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  for (const sku of ['SB-1', 'SB-2', 'SB-3']) await addProduct(s.db, sku, { onHand: 10 });
});
afterAll(() => s?.stop());

const admin = () => client(s.app, staff.admin);

async function settled(call: Awaited<ReturnType<typeof newCustomer>>['call'], invoiceId: string, status: string) {
  await expect.poll(async () => (await call('GET', `/v1/invoices/${invoiceId}`)).body.status, { timeout: 20_000 }).toBe(status);
  return (await call('GET', `/v1/invoices/${invoiceId}`)).body;
}

/** What a stock cut leaves visible: the invoice's status and lines, and the SKU's stock. */
const effect = (invoice: any, stock: { onHand: number; reserved: number }) => ({
  status: invoice.status,
  lines: invoice.lines.map((l: any) => ({ requested: l.requested, approved: l.approved })),
  stock,
});

describe('POST /v1/admin/stock-batches', () => {
  it('lowers stock below a confirmed invoice’s reservation with the same effect as the warehouse correction', async () => {
    const buyer = await newCustomer(s);
    const viaWarehouse = (await orderInvoice(buyer.call, { 'SB-1': 6 })).body;
    const viaBatch = (await orderInvoice(buyer.call, { 'SB-2': 6 })).body;
    expect([viaWarehouse.status, viaBatch.status]).toEqual(['confirmed', 'confirmed']);

    const corrected = await client(s.app, staff.warehouse)('PUT', '/v1/warehouse/stock/SB-1', { onHand: 4 });
    expect(corrected.status).toBe(200);
    const batch = await admin()('POST', '/v1/admin/stock-batches', {
      batchId: 'erp-2026-11-30-01',
      items: [
        { sku: 'SB-2', onHand: 4, price: '99.50' },
        { sku: 'NO-SUCH', onHand: 5 },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({
      batchId: 'erp-2026-11-30-01',
      items: [
        { sku: 'SB-2', status: 'applied', onHand: 4, reserved: 4, available: 0, priceChanged: true, affectedInvoiceIds: [viaBatch.id] },
        { sku: 'NO-SUCH', status: 'unknown_sku' },
      ],
    });
    expect(corrected.body.affectedInvoiceIds).toEqual([viaWarehouse.id]);

    const a = effect(await settled(buyer.call, viaWarehouse.id, 'changed'), await stockOf(s.db, 'SB-1'));
    const b = effect(await settled(buyer.call, viaBatch.id, 'changed'), await stockOf(s.db, 'SB-2'));
    expect(b).toEqual(a);
    expect(b).toMatchObject({ lines: [{ requested: 6, approved: 4 }], stock: { onHand: 4, reserved: 4 } });
    const price = await s.db.selectFrom('products').select('price_kopecks').where('sku', '=', 'SB-2').executeTakeFirstOrThrow();
    expect(Number(price.price_kopecks)).toBe(9950);

    // The ERP hears of the cut like of any change.
    await expect
      .poll(async () => (await readFeed(s, 100)).filter((e) => e.aggregate.id === viaBatch.id).map((e) => e.type))
      .toEqual(['invoice.confirmed.v1', 'invoice.changed.v1']);
  });

  it('answers a repeated batch with its first result and applies it once; the same batchId with another body is refused', async () => {
    const body = { batchId: 'erp-repeat', items: [{ sku: 'SB-3', onHand: 7 }] };
    const first = await admin()('POST', '/v1/admin/stock-batches', body);
    expect(first.status).toBe(200);
    expect(first.body.items[0]).toMatchObject({ status: 'applied', onHand: 7 });
    const corrections = async () => (await s.db.selectFrom('stock_corrections').select('id').where('sku', '=', 'SB-3').execute()).length;
    expect(await corrections()).toBe(1);
    // Meanwhile the warehouse counts again: a repeat of the old batch must not undo that.
    expect((await client(s.app, staff.warehouse)('PUT', '/v1/warehouse/stock/SB-3', { onHand: 9 })).status).toBe(200);

    const again = await admin()('POST', '/v1/admin/stock-batches', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await stockOf(s.db, 'SB-3')).onHand).toBe(9);
    expect(await corrections()).toBe(2);

    const other = await admin()('POST', '/v1/admin/stock-batches', { ...body, items: [{ sku: 'SB-3', onHand: 1 }] });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(other.body.code).toBe('idempotency_key_reused');
    expect((await stockOf(s.db, 'SB-3')).onHand).toBe(9);
  });

  it('refuses oversized batches, repeated SKUs and non-admins before changing anything', async () => {
    const items = Array.from({ length: 501 }, (_, i) => ({ sku: `X-${i}`, onHand: 1 }));
    const big = await admin()('POST', '/v1/admin/stock-batches', { batchId: 'too-big', items });
    expect(big.status).toBe(400);
    const twice = await admin()('POST', '/v1/admin/stock-batches', {
      batchId: 'twice',
      items: [
        { sku: 'SB-3', onHand: 1 },
        { sku: 'SB-3', onHand: 2 },
      ],
    });
    expect(twice.status).toBe(400);
    for (const user of [staff.warehouse, staff.manager('m@x.example'), customerUser((await newCustomer(s)).id)]) {
      expect((await client(s.app, user)('POST', '/v1/admin/stock-batches', { batchId: 'nope', items: [{ sku: 'SB-3', onHand: 0 }] })).status).toBe(403);
    }
    expect((await stockOf(s.db, 'SB-3')).onHand).toBe(9);
    expect(await s.db.selectFrom('stock_batches').select('batch_id').where('batch_id', 'in', ['too-big', 'twice', 'nope']).execute()).toEqual([]);
  });
});

describe('outbox idempotency', () => {
  it('two overlapping attempts writing the same invoice version append one event', async () => {
    const buyer = await newCustomer(s);
    const invoice = (await orderInvoice(buyer.call, { 'SB-3': 1 })).body;
    const row = await s.db.selectFrom('invoices').selectAll().where('id', '=', invoice.id).executeTakeFirstOrThrow();
    const state: InvoiceState = {
      id: row.id,
      number: row.number,
      customerId: row.customer_id,
      orderId: row.order_id,
      status: 'deleted',
      lines: row.lines,
      version: row.version + 1,
      createdAt: row.created_at.toISOString(),
      confirmedAt: null,
      expiresAt: null,
      mergedInto: null,
      boxes: null,
      realization: null,
    };
    const event = {
      at: new Date().toISOString(),
      actor: { type: 'system' as const, id: 'test' },
      action: 'probe',
      fromStatus: row.status,
      toStatus: 'deleted' as const,
      details: {},
    };
    await Promise.all([projectInvoice(s.db, state, event), projectInvoice(s.db, state, event), projectInvoice(s.db, state, event)]);
    const events = await s.db.selectFrom('outbox_events').select(['type']).where('aggregate_id', '=', invoice.id).orderBy('seq').execute();
    expect(events.map((e) => e.type)).toEqual(['invoice.confirmed.v1', 'invoice.deleted.v1']);
  });
});
