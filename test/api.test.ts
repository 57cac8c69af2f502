import { randomUUID } from 'node:crypto';
import { sign } from 'hono/jwt';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../api/auth.js';
import { addProduct, customerUser, stockOf, TEST_SECRET } from './support/fixtures.js';
import { newCustomer as newCustomerOf, waitForInvoice } from './support/scenario.js';
import { client, typedClient } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

const admin: User = { sub: 'admin-1', role: 'admin' };
const warehouse: User = { sub: 'wh-1', role: 'warehouse' };

const newCustomer = (managerEmail?: string) => newCustomerOf(s, managerEmail ? { managerEmail } : {});
/** A new customer company with the typed client (`wholesale-orders/client`) and the raw one. */
const newTypedCustomer = async () => {
  const { id, call: raw } = await newCustomer();
  return { id, raw, ...typedClient(s.app, customerUser(id)) };
};

describe('service endpoints', () => {
  it('answers health, readiness and the OpenAPI contract', async () => {
    const anon = client(s.app);
    expect((await anon('GET', '/healthz')).status).toBe(200);
    // The worker was just started: ready once its first poll reached the server.
    await expect.poll(async () => (await anon('GET', '/readyz')).status, { timeout: 10_000 }).toBe(200);
    const ready = await anon('GET', '/readyz');
    expect(ready).toMatchObject({ status: 200, body: { checks: { worker: { status: 'ok' } }, database: 'ok', temporal: 'ok' } });
    const doc = await anon('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/cart/checkout', '/v1/invoices/{id}', '/v1/admin/products/{sku}']));
    expect((await s.app.request('/docs')).status).toBe(200);
  });
});

describe('auth', () => {
  it('refuses missing, malformed, badly signed and expired tokens with 401 problem+json', async () => {
    const cases: Record<string, string> = {
      missing: '',
      malformed: 'Bearer not-a-jwt',
      wrongSecret: `Bearer ${await sign({ sub: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 }, 'another-secret-0123456789', 'HS256')}`,
      expired: `Bearer ${await sign({ sub: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET, 'HS256')}`,
      badRole: `Bearer ${await sign({ sub: 'x', role: 'root', exp: Math.floor(Date.now() / 1000) + 60 }, TEST_SECRET, 'HS256')}`,
    };
    for (const [name, header] of Object.entries(cases)) {
      const res = await s.app.request('/v1/catalog/products', { headers: header ? { Authorization: header } : {} });
      expect(res.status, name).toBe(401);
      expect(res.headers.get('content-type'), name).toContain('application/problem+json');
      expect(await res.json(), name).toMatchObject({ code: 'unauthorized', status: 401, title: expect.any(String), detail: expect.any(String) });
    }
  });

  it('refuses a role without the right with 403', async () => {
    const { call } = await newCustomer();
    const res = await call('POST', '/v1/admin/customers', { name: 'X', email: 'x@x.example', managerEmail: 'm@x.example' });
    expect(res).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const wh = client(s.app, warehouse);
    expect((await wh('GET', '/v1/cart')).status).toBe(403);
  });
});

describe('admin and warehouse', () => {
  it('creates customers and products, lists them in the catalog with availability', async () => {
    const adm = typedClient(s.app, admin);
    const created = await adm.call(
      adm.api.v1.admin.customers.$post({ json: { name: 'ООО «Лютик»', email: 'buy@lutik.example', inn: '7712345678', managerEmail: 'm@supplier.example' } }),
    );
    assert(created.ok, JSON.stringify(created));
    expect(created.status).toBe(201);
    expect(created.data.id).toMatch(/^[0-9a-f-]{36}$/);

    const product = {
      article: 'API-1',
      name: 'Колготки «Тест» 40 den',
      characteristic: 'размер 2, чёрный',
      price: '189.50',
      piecesPerBox: 60,
      certificate: { number: 'ЕАЭС RU Д-1', validUntil: '2029-01-31' },
    };
    const param = { sku: 'API-1-2-BLK' };
    expect(await adm.unwrap(adm.api.v1.admin.products[':sku'].$put({ param, json: product }))).toMatchObject({ created: true });
    expect(await adm.unwrap(adm.api.v1.admin.products[':sku'].$put({ param, json: { ...product, price: '199.00' } }))).toMatchObject({ created: false });
    const wh = typedClient(s.app, warehouse);
    expect(await wh.unwrap(wh.api.v1.warehouse.stock[':sku'].$put({ param, json: { onHand: 40 } }))).toMatchObject({ onHand: 40, available: 40 });

    const { api, unwrap } = await newTypedCustomer();
    const list = await unwrap(api.v1.catalog.products.$get({ query: { q: 'API-1' } }));
    expect(list.items).toEqual([
      expect.objectContaining({
        sku: 'API-1-2-BLK',
        price: '199.00',
        available: 40,
        piecesPerBox: 60,
        characteristic: 'размер 2, чёрный',
        certificate: { number: 'ЕАЭС RU Д-1', validUntil: '2029-01-31' },
      }),
    ]);
  });

  it('lists every field that fails validation and changes nothing', async () => {
    const adm = typedClient(s.app, admin);
    const res = await adm.call(
      adm.api.v1.admin.products[':sku'].$put({ param: { sku: 'BAD-1' }, json: { article: '', name: 'X', price: '-5', piecesPerBox: 0 } }),
    );
    assert(!res.ok, 'refused');
    expect(res.status).toBe(400);
    expect(res.response.headers.get('content-type')).toContain('application/problem+json');
    expect(res.problem.code).toBe('validation_failed');
    expect(res.problem.errors?.map((e) => e.path).sort()).toEqual(['json.article', 'json.piecesPerBox', 'json.price']);
    expect(await s.db.selectFrom('products').select('sku').where('sku', '=', 'BAD-1').executeTakeFirst()).toBeUndefined();
    const wh = typedClient(s.app, warehouse);
    const stock = await wh.call(wh.api.v1.warehouse.stock[':sku'].$put({ param: { sku: 'NO-SUCH' }, json: { onHand: 5 } }));
    expect(stock).toMatchObject({ ok: false, status: 404, problem: { code: 'not_found' } });
  });

  it('pages through the catalog with a cursor', async () => {
    for (const n of [1, 2, 3]) await addProduct(s.db, `PAGE-${n}`);
    const { api, unwrap } = await newTypedCustomer();
    const first = await unwrap(api.v1.catalog.products.$get({ query: { q: 'PAGE-', limit: 2 } }));
    expect(first.items.map((p) => p.sku)).toEqual(['PAGE-1', 'PAGE-2']);
    assert(first.nextCursor, 'a next page');
    const second = await unwrap(api.v1.catalog.products.$get({ query: { q: 'PAGE-', limit: 2, cursor: first.nextCursor } }));
    expect(second).toMatchObject({ items: [expect.objectContaining({ sku: 'PAGE-3' })], nextCursor: null });
  });
});

describe('cart and checkout', () => {
  it('refuses bad quantities, unknown SKUs and an empty cart, changing nothing', async () => {
    await addProduct(s.db, 'CART-A');
    const { call } = await newCustomer();
    for (const quantity of [-1, 1.5, '3', null]) {
      const res = await call('PUT', '/v1/cart/items/CART-A', { quantity });
      expect(res.status, String(quantity)).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ path: 'json.quantity' })] });
    }
    expect(await call('PUT', '/v1/cart/items/NO-SUCH-SKU', { quantity: 1 })).toMatchObject({ status: 422, body: { code: 'unknown_sku' } });
    expect((await call('GET', '/v1/cart')).body.lines).toEqual([]);
    expect(await call('POST', '/v1/cart/checkout', { target: 'new' })).toMatchObject({ status: 422, body: { code: 'empty_cart' } });
    expect(await call('POST', '/v1/cart/checkout', { target: 'old' })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await s.db.selectFrom('orders').select('id').execute()).toHaveLength(0);
  });

  it('fills and empties a cart', async () => {
    await addProduct(s.db, 'CART-B', { priceKopecks: 14990 });
    const { api, unwrap } = await newTypedCustomer();
    const item = (quantity: number) => unwrap(api.v1.cart.items[':sku'].$put({ param: { sku: 'CART-B' }, json: { quantity } }));
    expect(await item(3)).toMatchObject({ lines: [{ sku: 'CART-B', quantity: 3, price: '149.90', total: '449.70' }], total: '449.70' });
    expect((await item(0)).lines).toEqual([]);
    await item(1);
    expect(await unwrap(api.v1.cart.$delete())).toEqual({ lines: [], total: '0.00' });
  });

  it('turns a checkout into an invoice that only its company (and its manager) can see', async () => {
    await addProduct(s.db, 'FLOW-A', { onHand: 4, priceKopecks: 14990 });
    await addProduct(s.db, 'FLOW-B', { onHand: 50, priceKopecks: 6500 });
    const me = await newCustomer('boss@supplier.example');
    await me.call('PUT', '/v1/cart/items/FLOW-A', { quantity: 6 });
    await me.call('PUT', '/v1/cart/items/FLOW-B', { quantity: 10 });
    const checkout = await me.call('POST', '/v1/cart/checkout', { target: 'new' });
    expect(checkout.status).toBe(202);
    expect(checkout.headers.get('location')).toBe(`/v1/orders/${checkout.body.orderId}`);
    expect((await me.call('GET', '/v1/cart')).body.lines).toEqual([]);

    const invoiceId = await waitForInvoice(me.call, checkout.body.orderId);
    const invoice = await me.call('GET', `/v1/invoices/${invoiceId}`);
    expect(invoice.headers.get('etag')).toBe('"1"');
    expect(invoice.body).toMatchObject({
      status: 'confirmed',
      statusLabel: 'Подтвержден менеджером',
      allowedActions: ['edit', 'addItems', 'ship', 'merge', 'cancel'],
      version: 1,
      number: expect.stringMatching(/^СЧ-\d{4}-\d{6}$/),
      expiresAt: expect.any(String),
      lines: [
        { sku: 'FLOW-A', requested: 6, approved: 4, rejected: 2, rejectionReason: 'out_of_stock', price: '149.90', total: '599.60' },
        { sku: 'FLOW-B', requested: 10, approved: 10, rejected: 0, rejectionReason: null, price: '65.00', total: '650.00' },
      ].map((l) => expect.objectContaining(l)),
      total: '1249.60',
      totals: { amount: '1249.60', vat: '225.34', vatRate: 22, currency: 'RUB' },
    });
    expect((await me.call('GET', '/v1/invoices')).body.items.map((i: { id: string }) => i.id)).toEqual([invoiceId]);
    expect((await me.call('GET', `/v1/invoices/${invoiceId}/history`)).body).toEqual([
      expect.objectContaining({ action: 'create', fromStatus: null, toStatus: 'confirmed' }),
    ]);

    const other = await newCustomer();
    expect(await other.call('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await other.call('GET', `/v1/orders/${checkout.body.orderId}`)).toMatchObject({ status: 404 });
    expect(await other.call('POST', `/v1/invoices/${invoiceId}/cancel`)).toMatchObject({ status: 404 });
    expect((await other.call('GET', '/v1/invoices')).body.items).toEqual([]);

    const manager = client(s.app, { sub: 'mgr', role: 'manager', email: 'boss@supplier.example' });
    expect((await manager('GET', `/v1/invoices/${invoiceId}`)).status).toBe(200);
    const stranger = client(s.app, { sub: 'mgr2', role: 'manager', email: 'other@supplier.example' });
    expect((await stranger('GET', `/v1/invoices/${invoiceId}`)).status).toBe(404);
  });

  it('cancels an invoice, releasing its stock, honouring If-Match', async () => {
    await addProduct(s.db, 'CANCEL-A', { onHand: 10 });
    const me = await newTypedCustomer();
    const { api, call, unwrap } = me;
    await unwrap(api.v1.cart.items[':sku'].$put({ param: { sku: 'CANCEL-A' }, json: { quantity: 7 } }));
    const { orderId } = await unwrap(api.v1.cart.checkout.$post({ json: { target: 'new' } }));
    const param = { id: await waitForInvoice(me.raw, orderId ?? '') };
    expect(await stockOf(s.db, 'CANCEL-A')).toMatchObject({ reserved: 7 });

    const cancel = (header: { 'if-match'?: string }) => call(api.v1.invoices[':id'].cancel.$post({ param, header }));
    expect(await cancel({ 'if-match': '"7"' })).toMatchObject({ ok: false, status: 412, problem: { code: 'version_conflict' } });
    expect(await stockOf(s.db, 'CANCEL-A')).toMatchObject({ reserved: 7 });
    const cancelled = await cancel({ 'if-match': '1' });
    assert(cancelled.ok, JSON.stringify(cancelled));
    expect(cancelled.data).toMatchObject({ status: 'deleted', statusLabel: 'Удален', allowedActions: [], expiresAt: null, version: 2 });
    expect(await stockOf(s.db, 'CANCEL-A')).toEqual({ onHand: 10, reserved: 0, reservationsSum: 0 });
    expect(await cancel({})).toMatchObject({ ok: false, status: 409, problem: { code: 'invalid_transition' } });
    const history = await unwrap(api.v1.invoices[':id'].history.$get({ param }));
    expect(history.map((e) => e.action)).toEqual(['create', 'cancel']);
    expect(history[1]).toMatchObject({ fromStatus: 'confirmed', toStatus: 'deleted', actor: { type: 'customer' } });
  });

  it('does a checkout once per Idempotency-Key', async () => {
    await addProduct(s.db, 'IDEM-A', { onHand: 10 });
    const me = await newTypedCustomer();
    const { api, call, unwrap } = me;
    await unwrap(api.v1.cart.items[':sku'].$put({ param: { sku: 'IDEM-A' }, json: { quantity: 2 } }));
    const key = { headers: { 'Idempotency-Key': randomUUID() } };
    const first = await call(api.v1.cart.checkout.$post({ json: { target: 'new' } }, key));
    const again = await call(api.v1.cart.checkout.$post({ json: { target: 'new' } }, key));
    assert(first.ok && again.ok, JSON.stringify([first, again]));
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.data).toEqual(first.data);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.response.headers.get('location')).toBe(first.response.headers.get('location'));
    expect(await s.db.selectFrom('orders').select('id').where('customer_id', '=', me.id).execute()).toHaveLength(1);
    const other = await call(api.v1.cart.checkout.$post({ json: { target: { invoiceId: randomUUID() } } }, key));
    expect(other).toMatchObject({ ok: false, status: 422, problem: { code: 'idempotency_key_reused' } });
  });

  it('reserves exactly the stock there is when 50 checkouts compete for 10 pieces, with no 5xx', async () => {
    await addProduct(s.db, 'RUSH-A', { onHand: 10 });
    const customers = await Promise.all(Array.from({ length: 50 }, () => newCustomer()));
    for (const c of customers) await c.call('PUT', '/v1/cart/items/RUSH-A', { quantity: 1 });
    const checkouts = await Promise.all(customers.map((c) => c.call('POST', '/v1/cart/checkout', { target: 'new' })));
    expect(checkouts.map((r) => r.status)).toEqual(Array(50).fill(202));
    const invoiceIds = await Promise.all(customers.map((c, i) => waitForInvoice(c.call, checkouts[i]?.body.orderId)));
    const invoices = await Promise.all(customers.map((c, i) => c.call('GET', `/v1/invoices/${invoiceIds[i]}`)));
    const approved = invoices.reduce((sum, r) => sum + (r.body.lines[0]?.approved as number), 0);
    expect(approved).toBe(10);
    expect(await stockOf(s.db, 'RUSH-A')).toEqual({ onHand: 10, reserved: 10, reservationsSum: 10 });
  });
});
