import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../api/auth.js';
import { addProduct, customerUser, TEST_SECRET } from './support/fixtures.js';
import { client } from './support/http.js';
import { invoiceFromCart } from './support/hostile.js';
import { newCustomer, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { signToken } from '../api/auth.js';

/**
 * Broken object level authorisation sweep: every operation of /openapi.json, called by another
 * company's customer and by a manager of other customers, with the victim's real ids in the path
 * and in the body, answers 404 (another company's object) or 403 (a role without the right), and
 * changes nothing of the victim's. A new operation fails the sweep until it is classified here.
 */

interface Ids {
  invoice: string;
  otherInvoice: string;
  order: string;
  document: string;
  paymentOrder: string;
  waitlistEntry: string;
  realization: string;
  customer: string;
  sku: string;
}

type Case =
  /** The victim's ids in the path or body: must be 404 or 403. */
  | { kind: 'foreign'; path?: (ids: Ids) => string; body?: (ids: Ids) => unknown; multipart?: boolean }
  /** Only the caller's own data can be reached (no id of anyone else's to pass): not swept. */
  | { kind: 'own' }
  /** A role the attackers do not have: must be 403. */
  | { kind: 'role'; path?: (ids: Ids) => string; body?: (ids: Ids) => unknown };

const CASES: Record<string, Case> = {
  'GET /v1/catalog/products': { kind: 'own' },
  'GET /v1/catalog/order-form.xlsx': { kind: 'own' },
  'GET /v1/cart': { kind: 'own' },
  'DELETE /v1/cart': { kind: 'own' },
  'PUT /v1/cart/items/{sku}': { kind: 'own' },
  'POST /v1/cart/upload': { kind: 'own' },
  'POST /v1/cart/checkout': { kind: 'foreign', body: (ids) => ({ target: { invoiceId: ids.invoice } }) },
  'GET /v1/orders/{id}': { kind: 'foreign', path: (ids) => `/v1/orders/${ids.order}` },
  'GET /v1/invoices': { kind: 'own' },
  'GET /v1/invoices/{id}': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}` },
  'GET /v1/invoices/{id}/history': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}/history` },
  'PATCH /v1/invoices/{id}': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}`, body: (ids) => ({ lines: [{ sku: ids.sku, quantity: 1 }] }) },
  'POST /v1/invoices/{id}/submit': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}/submit` },
  'POST /v1/invoices/{id}/answer-changes': {
    kind: 'foreign',
    path: (ids) => `/v1/invoices/${ids.invoice}/answer-changes`,
    body: (ids) => ({ lines: [{ sku: ids.sku, answer: 'accept' }] }),
  },
  'POST /v1/invoices/{id}/ship': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}/ship` },
  'POST /v1/invoices/{id}/cancel': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}/cancel` },
  'POST /v1/invoices/{id}/unmerge': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}/unmerge` },
  'POST /v1/invoices/{id}/inventory-request': { kind: 'foreign', path: (ids) => `/v1/invoices/${ids.invoice}/inventory-request` },
  'POST /v1/invoices/merge': { kind: 'foreign', body: (ids) => ({ invoiceIds: [ids.invoice, ids.otherInvoice] }) },
  'GET /v1/realizations': { kind: 'own' },
  'GET /v1/settings': { kind: 'own' },
  'PUT /v1/settings': { kind: 'own' },
  'GET /v1/waitlist': { kind: 'own' },
  'POST /v1/waitlist': { kind: 'foreign', body: (ids) => ({ sku: ids.sku, quantity: 1, invoiceId: ids.invoice }) },
  'DELETE /v1/waitlist/{id}': { kind: 'foreign', path: (ids) => `/v1/waitlist/${ids.waitlistEntry}` },
  'POST /v1/waitlist/{id}/claim': { kind: 'foreign', path: (ids) => `/v1/waitlist/${ids.waitlistEntry}/claim`, body: () => ({ target: 'new' }) },
  'POST /v1/payment-invoices': { kind: 'foreign', body: (ids) => ({ realizationIds: [ids.realization] }) },
  'POST /v1/documents': { kind: 'foreign', body: (ids) => ({ type: 'packing-lists', realizationIds: [ids.realization], layout: 'by-article' }) },
  'GET /v1/documents': { kind: 'own' },
  'GET /v1/documents/{id}': { kind: 'foreign', path: (ids) => `/v1/documents/${ids.document}` },
  'GET /v1/documents/{id}/file': { kind: 'foreign', path: (ids) => `/v1/documents/${ids.document}/file` },
  'POST /v1/payment-orders': { kind: 'own' },
  'GET /v1/payment-orders/{id}': { kind: 'foreign', path: (ids) => `/v1/payment-orders/${ids.paymentOrder}` },
  'POST /v1/manager/invoices/{id}/lines': {
    kind: 'foreign',
    path: (ids) => `/v1/manager/invoices/${ids.invoice}/lines`,
    body: (ids) => ({ lines: [{ sku: ids.sku, price: '1.00' }], comment: 'bola' }),
  },
  'POST /v1/manager/payments': { kind: 'foreign', body: (ids) => ({ customerId: ids.customer, amount: '1.00', paidAt: '2026-11-01', reference: 'bola' }) },
  'POST /v1/warehouse/invoices/{id}/status': {
    kind: 'role',
    path: (ids) => `/v1/warehouse/invoices/${ids.invoice}/status`,
    body: () => ({ status: 'to_warehouse' }),
  },
  'GET /v1/warehouse/invoices': { kind: 'role' },
  'GET /v1/warehouse/invoices/{id}': { kind: 'role', path: (ids) => `/v1/warehouse/invoices/${ids.invoice}` },
  'PUT /v1/warehouse/stock/{sku}': { kind: 'role', path: (ids) => `/v1/warehouse/stock/${ids.sku}`, body: () => ({ onHand: 0 }) },
  'POST /v1/admin/customers': { kind: 'role', body: () => ({ name: 'x', email: 'x@x.example', managerEmail: 'm@x.example' }) },
  'PUT /v1/admin/products/{sku}': {
    kind: 'role',
    path: (ids) => `/v1/admin/products/${ids.sku}`,
    body: () => ({ article: 'X', name: 'X', price: '1.00', piecesPerBox: 1 }),
  },
  'GET /v1/admin/outbox': { kind: 'role' },
  'GET /v1/events': { kind: 'role' },
  'GET /v1/admin/webhook-deliveries': { kind: 'role' },
  'POST /v1/admin/webhook-deliveries/{id}/replay': { kind: 'role', path: () => '/v1/admin/webhook-deliveries/1/replay' },
  'POST /v1/admin/webhook-deliveries/{id}/skip': { kind: 'role', path: () => '/v1/admin/webhook-deliveries/1/skip' },
  'POST /v1/admin/webhook-deliveries/replay': { kind: 'role' },
  'POST /v1/admin/stock-batches': { kind: 'role', body: (ids) => ({ batchId: 'bola', items: [{ sku: ids.sku, onHand: 0, price: '1.00' }] }) },
};

let s: TestStack;
let ids: Ids;
let victimId: string;
const VICTIM_MANAGER = 'bola-victim@supplier.example';
const ATTACKER_MANAGER = 'bola-attacker@supplier.example';

beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'BOLA-1', { onHand: 100, piecesPerBox: 2 });
  await addProduct(s.db, 'BOLA-2', { onHand: 100 });
  await addProduct(s.db, 'BOLA-OUT', { onHand: 0 }); // waited for: nothing to offer, so the entry stays still
  const victim = await newCustomer(s, { managerEmail: VICTIM_MANAGER });
  victimId = victim.id;
  await newCustomer(s, { managerEmail: ATTACKER_MANAGER });
  const warehouse = client(s.app, staff.warehouse);

  const shipped = await invoiceFromCart(victim.call, { 'BOLA-1': 2 });
  expect((await victim.call('POST', `/v1/invoices/${shipped}/ship`)).status).toBe(200);
  for (const status of ['to_warehouse', 'assembled', 'shipped']) {
    const step = await warehouse('POST', `/v1/warehouse/invoices/${shipped}/status`, { status });
    if (step.status !== 200) throw new Error(`${status}: ${JSON.stringify(step.body)}`);
  }
  const realization = await s.db.selectFrom('realizations').select('id').where('invoice_id', '=', shipped).executeTakeFirstOrThrow();

  await victim.call('PUT', '/v1/cart/items/BOLA-2', { quantity: 1 });
  const placed = await victim.call('POST', '/v1/cart/checkout', { target: 'new' });
  const invoice = await invoiceFromCart(victim.call, { 'BOLA-2': 3 });
  const otherInvoice = await invoiceFromCart(victim.call, { 'BOLA-1': 1 });
  await victim.call('PUT', '/v1/cart/items/BOLA-2', { quantity: 2 }); // a cart to keep
  const document = await victim.call('POST', '/v1/documents', { type: 'receivables' });
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4\n% bola\n')], { type: 'application/pdf' }), 'p.pdf');
  const uploaded = await s.app.request('/v1/payment-orders', {
    method: 'POST',
    body: form,
    headers: { Authorization: `Bearer ${await signToken(TEST_SECRET, customerUser(victim.id))}` },
  });
  const paymentOrder = ((await uploaded.json()) as { id: string }).id;
  const waiting = await victim.call('POST', '/v1/waitlist', { sku: 'BOLA-OUT', quantity: 1 });
  if (waiting.status !== 201) throw new Error(`waitlist: ${JSON.stringify(waiting.body)}`);
  ids = {
    invoice,
    otherInvoice,
    order: (placed.body as { orderId: string }).orderId,
    document: (document.body as { documentId: string }).documentId,
    paymentOrder,
    waitlistEntry: (waiting.body as { id: string }).id,
    realization: realization.id,
    customer: victim.id,
    sku: 'BOLA-2',
  };
}, 120_000);
afterAll(() => s.stop());

/** Everything of the victim's that an operation could change. */
async function victimSnapshot() {
  const q = async (query: ReturnType<typeof sql>) => (await query.execute(s.db)).rows;
  return {
    invoices: await q(sql`select id, status, version, lines from invoices where customer_id = ${victimId} order by id`),
    cart: await q(sql`select sku, quantity from cart_items where customer_id = ${victimId} order by sku`),
    orders: await q(sql`select id, status from orders where customer_id = ${victimId} order by id`),
    documents: await q(sql`select count(*)::int as n from documents`),
    payments: await q(sql`select count(*)::int as n from payments`),
    paymentOrders: await q(sql`select count(*)::int as n from payment_orders`),
    customers: await q(sql`select count(*)::int as n from customers`),
    products: await q(sql`select sku, price_kopecks from products order by sku`),
    stock: await q(sql`select sku, on_hand, reserved from stock order by sku`),
    settings: await q(sql`select email_notifications from customers where id = ${victimId}`),
    waitlist: await q(sql`select id, status, held from waitlist_entries where customer_id = ${victimId} order by id`),
  };
}

async function operations(): Promise<[string, string, string][]> {
  const res = await s.app.request('/openapi.json');
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) => Object.keys(item).map((method) => [`${method.toUpperCase()} ${path}`, method.toUpperCase(), path] as [string, string, string]));
}

describe('BOLA sweep over /openapi.json', () => {
  it('classifies every operation of the document', async () => {
    const ops = (await operations()).map(([name]) => name).sort();
    expect(ops).toEqual(Object.keys(CASES).sort());
  });

  for (const [label, attacker] of [
    ['another company', async (): Promise<User> => customerUser((await newCustomer(s, { managerEmail: ATTACKER_MANAGER })).id)],
    ["another company's manager", (): Promise<User> => Promise.resolve(staff.manager(ATTACKER_MANAGER))],
  ] as const) {
    it(`${label}: 404 or 403 on every operation, and nothing of the victim's changes`, async () => {
      const user = await attacker();
      const call = client(s.app, user);
      const before = await victimSnapshot();
      const seen: string[] = [];
      for (const [name, method, path] of await operations()) {
        const c = CASES[name];
        if (!c || c.kind === 'own') continue;
        const url = c.path ? c.path(ids) : path;
        const body = c.body?.(ids);
        for (const headers of <Record<string, string>[]>[{}, { 'Idempotency-Key': `bola-${name.replace(/[^\w]+/g, '-')}` }, { 'If-Match': '"1"' }]) {
          const reply = await call(method, url, body, headers);
          const allowed = c.kind === 'role' ? [403] : [403, 404];
          expect(allowed, `${name} as ${label}: ${reply.status} ${JSON.stringify(reply.body)}`).toContain(reply.status);
          expect(reply.headers.get('content-type')).toBe('application/problem+json');
        }
        seen.push(name);
      }
      expect(seen.length).toBeGreaterThan(15);
      // Give any wrongly started work a moment to show.
      await new Promise((r) => setTimeout(r, 300));
      expect(await victimSnapshot()).toEqual(before);
    }, 60_000);
  }
});
