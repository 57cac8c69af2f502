// The typed client, imported by its package name as the portal imports it, against the real app
// (PostgreSQL and Temporal behind it). Its types are part of the test: `npm test` runs tsc over
// this file first, so a route change that breaks the client's types fails there.
import { randomUUID } from 'node:crypto';
import type { InferRequestType } from 'hono/client';
import { afterAll, assert, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createClient, ProblemError, type Api, type Problem } from 'wholesale-orders/client';
import { signToken, type User } from '../api/auth.js';
import type { FailureCode } from '../core/domain/failures.js';
import { readWorkbook, sheetRows } from './support/documents.js';
import { addCustomer, addProduct, customerUser, TEST_SECRET } from './support/fixtures.js';
import { staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | null;
}

/** A client for the user over `app.request` that records what each request carried. */
function clientFor(user: User) {
  const sent: Sent[] = [];
  const client = createClient({
    baseUrl: 'http://api.test',
    token: () => signToken(TEST_SECRET, user),
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      sent.push({ method: init?.method ?? 'GET', path: decodeURIComponent(url.pathname), idempotencyKey: new Headers(init?.headers).get('idempotency-key') });
      return s.app.request(input, init);
    },
  });
  return { ...client, sent };
}

const customer = async () => clientFor(customerUser(await addCustomer(s.db)));

describe('typed client', () => {
  it('reads the catalog as typed data', async () => {
    await addProduct(s.db, 'CLI-A', { onHand: 7, priceKopecks: 14990 });
    const { api, call } = await customer();
    const result = await call(api.v1.catalog.products.$get({ query: { q: 'CLI-A' } }));
    assert(result.ok, 'a 200');
    expectTypeOf(result.data.items[0]!.price).toEqualTypeOf<string>();
    expectTypeOf(result.data.nextCursor).toEqualTypeOf<string | null>();
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ items: [expect.objectContaining({ sku: 'CLI-A', price: '149.90', available: 7 })], nextCursor: null });
  });

  it('gives problem+json answers back as typed problems', async () => {
    const { api, call, unwrap } = await customer();
    const missing = await call(api.v1.invoices[':id'].$get({ param: { id: randomUUID() } }));
    assert(!missing.ok, 'a 404');
    expectTypeOf(missing.problem).toEqualTypeOf<Problem>();
    expectTypeOf(missing.problem.code).toEqualTypeOf<FailureCode>();
    expect(missing.status).toBe(404);
    expect(missing.response.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.problem).toMatchObject({ code: 'not_found', status: 404, title: expect.any(String), detail: 'Счёт не найден' });

    await addProduct(s.db, 'CLI-V');
    const invalid = await call(api.v1.cart.items[':sku'].$put({ param: { sku: 'CLI-V' }, json: { quantity: -1 } }));
    assert(!invalid.ok, 'a 400');
    expect(invalid.problem).toMatchObject({ code: 'validation_failed', status: 400, errors: [expect.objectContaining({ path: 'json.quantity' })] });

    const forbidden = createClient({
      baseUrl: 'http://api.test',
      token: await signToken(TEST_SECRET, staff.warehouse),
      fetch: async (i, o) => s.app.request(i, o),
    });
    await expect(forbidden.unwrap(forbidden.api.v1.cart.$get())).rejects.toSatisfy((e) => e instanceof ProblemError && e.problem.code === 'forbidden');
    await expect(unwrap(api.v1.orders[':id'].$get({ param: { id: randomUUID() } }))).rejects.toThrow(/404 not_found/);
  });

  it('sends a fresh Idempotency-Key with every write, keeps one it is given, and encodes path parameters', async () => {
    const sku = 'CLI/Ж-1'; // "/" and Cyrillic are allowed in a SKU and travel in the path
    await addProduct(s.db, sku, { onHand: 50 });
    const { api, unwrap, sent } = await customer();
    const put = await unwrap(api.v1.cart.items[':sku'].$put({ param: { sku }, json: { quantity: 2 } }));
    expect(put.lines).toEqual([expect.objectContaining({ sku, quantity: 2 })]);
    await unwrap(api.v1.cart.items[':sku'].$put({ param: { sku }, json: { quantity: 3 } }));
    expect((await unwrap(api.v1.cart.$get())).lines).toEqual([expect.objectContaining({ sku, quantity: 3 })]);
    const [first, second, read] = sent;
    expect(first).toMatchObject({ method: 'PUT', path: `/v1/cart/items/${sku}`, idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(second?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.idempotencyKey).not.toBe(first?.idempotencyKey);
    expect(read).toMatchObject({ method: 'GET', idempotencyKey: null });

    // A retry under the caller's own key is the same checkout, answered again.
    const key = { headers: { 'Idempotency-Key': `retry-${randomUUID()}` } };
    const checkout = await api.v1.cart.checkout.$post({ json: { target: 'new' } }, key);
    const retried = await api.v1.cart.checkout.$post({ json: { target: 'new' } }, key);
    expect([checkout.status, retried.status]).toEqual([202, 202]);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await retried.json()).toEqual(await checkout.json());
    expect(sent.slice(-2).map((r) => r.idempotencyKey)).toEqual([key.headers['Idempotency-Key'], key.headers['Idempotency-Key']]);
  });

  it('gives a file download as a Blob, and sends an upload as a form', async () => {
    await addProduct(s.db, 'CLI-F');
    const { api, unwrap } = await customer();
    const file = await unwrap(api.v1.catalog['order-form.xlsx'].$get());
    expectTypeOf(file).toEqualTypeOf<Blob>();
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    // Upload bodies are not typed (a hand-written multipart schema): the form goes in `init`.
    const workbook = await readWorkbook(Buffer.from(await file.arrayBuffer()));
    const sheet = workbook.worksheets[0]!;
    const row = sheetRows(sheet).findIndex((r) => r[0] === 'CLI-F') + 1;
    sheet.getRow(row).getCell(9).value = 4; // the quantity column
    const form = new FormData();
    form.append('file', new Blob([await workbook.xlsx.writeBuffer()]), 'бланк.xlsx');
    const uploaded = await unwrap(api.v1.cart.upload.$post({}, { init: { body: form } }));
    expect(uploaded).toEqual({ added: 1, removed: 0, rejected: [] });
    expect((await unwrap(api.v1.cart.$get())).lines).toEqual([expect.objectContaining({ sku: 'CLI-F', quantity: 4 })]);
  });

  it('refuses at type-check what the routes would refuse', () => {
    // Never called: these lines are checked by tsc (`npm test` runs it first), where an unused
    // expect-error directive is itself an error. A route that stops typing its input fails here.
    const typeChecks = (api: Api) => [
      // @ts-expect-error: the cart line takes { quantity }, not { qty }
      api.v1.cart.items[':sku'].$put({ param: { sku: 'X' }, json: { qty: 1 } }),
      // @ts-expect-error: checkout's target is "new" or { invoiceId }
      api.v1.cart.checkout.$post({ json: { target: 'old' } }),
      // @ts-expect-error: If-Match is a version string such as '"3"'
      api.v1.invoices[':id'].cancel.$post({ param: { id: 'x' }, header: { 'if-match': 3 } }),
      // @ts-expect-error: the path parameter is required
      api.v1.invoices[':id'].$get({}),
    ];
    expect(typeof typeChecks).toBe('function');
    // Each route is its own literal path: no catch-all key that would accept a made-up action.
    type InvoiceTree = Api['v1']['invoices'][':id'];
    expectTypeOf<'approve'>().not.toExtend<keyof InvoiceTree>();
    expectTypeOf<InferRequestType<InvoiceTree['$patch']>['json']['lines'][number]>().toEqualTypeOf<{ sku: string; quantity: number }>();
    expectTypeOf<InferRequestType<InvoiceTree['submit']['$post']>['header']>().toEqualTypeOf<{ 'if-match'?: string | undefined }>();
  });
});
