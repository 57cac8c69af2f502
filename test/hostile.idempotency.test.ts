import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, customerUser } from './support/fixtures.js';
import { upload } from './support/documents-http.js';
import { client } from './support/http.js';
import { invoiceFromCart } from './support/hostile.js';
import { newCustomer, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
const MANAGER = 'idem-manager@supplier.example';

beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'IDEM-1', { onHand: 1000 });
  await addProduct(s.db, 'IDEM-2', { onHand: 1000 });
});
afterAll(() => s.stop());

describe('Idempotency-Key scoped by principal and operation', () => {
  it("the manager's adjustment with the customer's key is applied, not answered with the customer's old reply", async () => {
    const me = await newCustomer(s, { managerEmail: MANAGER });
    const manager = client(s.app, staff.manager(MANAGER));
    const invoiceId = await invoiceFromCart(me.call, { 'IDEM-1': 5 });
    const key = { 'Idempotency-Key': 'K-shared-1' };

    const submitted = await me.call('PATCH', `/v1/invoices/${invoiceId}`, { lines: [{ sku: 'IDEM-1', quantity: 4 }] }, key);
    expect(submitted.status).toBe(200);
    const adjusted = await manager('POST', `/v1/manager/invoices/${invoiceId}/lines`, { lines: [{ sku: 'IDEM-1', price: '1.00' }], comment: 'скидка' }, key);
    expect(adjusted.status).toBe(200);
    expect(adjusted.headers.get('idempotent-replayed')).toBeNull();
    expect(adjusted.body).toMatchObject({ status: 'changed', version: (submitted.body.version as number) + 1 });
    expect(adjusted.body.lines[0]).toMatchObject({ sku: 'IDEM-1', price: '1.00' });

    // Each caller's repeat replays its own answer.
    const again = await manager('POST', `/v1/manager/invoices/${invoiceId}/lines`, { lines: [{ sku: 'IDEM-1', price: '1.00' }], comment: 'скидка' }, key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.version).toBe(adjusted.body.version);
    const mine = await me.call('PATCH', `/v1/invoices/${invoiceId}`, { lines: [{ sku: 'IDEM-1', quantity: 4 }] }, key);
    expect(mine.headers.get('idempotent-replayed')).toBe('true');
    expect(mine.body.version).toBe(submitted.body.version);
    const history = await me.call('GET', `/v1/invoices/${invoiceId}/history`);
    expect(history.body.map((e: { action: string }) => e.action)).toEqual(['create', 'edit', 'manager_adjust']);
  });

  it('the same key on another operation of the same caller is another request', async () => {
    const me = await newCustomer(s);
    const first = await invoiceFromCart(me.call, { 'IDEM-1': 2 });
    const second = await invoiceFromCart(me.call, { 'IDEM-2': 2 });
    const key = { 'Idempotency-Key': 'K-shared-2' };
    expect((await me.call('POST', `/v1/invoices/${first}/cancel`, undefined, key)).body.status).toBe('deleted');
    const other = await me.call('POST', `/v1/invoices/${second}/cancel`, undefined, key);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.body).toMatchObject({ id: second, status: 'deleted' });
  });

  it('the same key with another body → 422, and the first answer stays', async () => {
    const me = await newCustomer(s);
    const key = { 'Idempotency-Key': 'K-body' };
    expect((await me.call('PUT', '/v1/settings', { emailNotifications: false }, key)).status).toBe(200);
    expect(await me.call('PUT', '/v1/settings', { emailNotifications: true }, key)).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
    expect((await me.call('GET', '/v1/settings')).body).toEqual({ emailNotifications: false });
  });

  it('an upload rebuilt on retry (a new multipart boundary) is the same request; another file under the key is not', async () => {
    const me = await newCustomer(s);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    const key = { 'Idempotency-Key': 'K-upload' };
    const first = await upload(s, customerUser(me.id), '/v1/payment-orders', pdf, 'платёжка.pdf', key);
    expect(first.status).toBe(202);
    const again = await upload(s, customerUser(me.id), '/v1/payment-orders', pdf, 'платёжка.pdf', key);
    expect(again).toMatchObject({ status: 202, body: { id: first.body.id } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await upload(s, customerUser(me.id), '/v1/payment-orders', Buffer.concat([pdf, Buffer.from(' ')]), 'платёжка.pdf', key);
    expect(other).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
    const stored = await s.db.selectFrom('payment_orders').select('id').where('customer_id', '=', me.id).execute();
    expect(stored).toHaveLength(1);
  });

  it('refuses keys that are empty, too long or not visible ASCII', async () => {
    const me = await newCustomer(s);
    for (const key of ['x'.repeat(201), 'a b', 'tab\there']) {
      expect(await me.call('PUT', '/v1/settings', { emailNotifications: true }, { 'Idempotency-Key': key }), key).toMatchObject({
        status: 400,
        body: { code: 'validation_failed' },
      });
    }
  });

  it('never takes over a claim whose request is alive (lease renewed), but does take over a dead one', async () => {
    const me = await newCustomer(s);
    const principal = `customer:user-${me.id.slice(0, 8)}:${me.id}`;
    const body = { emailNotifications: false };
    const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    // A live request: claimed 5 minutes ago, lease still running (it renews every 10 s).
    await s.db
      .insertInto('idempotency_keys')
      .values({
        principal,
        scope: 'PUT /v1/settings',
        key: 'K-live',
        request_hash: hash,
        owner: crypto.randomUUID(),
        lease_until: sql<Date>`now() + interval '20 seconds'`,
        created_at: sql<Date>`now() - interval '5 minutes'`,
      })
      .execute();
    expect(await me.call('PUT', '/v1/settings', body, { 'Idempotency-Key': 'K-live' })).toMatchObject({
      status: 409,
      body: { code: 'idempotency_in_progress' },
    });
    expect((await me.call('GET', '/v1/settings')).body).toEqual({ emailNotifications: true });

    // A dead one: its lease lapsed. The retry runs.
    await s.db
      .insertInto('idempotency_keys')
      .values({
        principal,
        scope: 'PUT /v1/settings',
        key: 'K-dead',
        request_hash: hash,
        owner: crypto.randomUUID(),
        lease_until: sql<Date>`now() - interval '1 second'`,
      })
      .execute();
    const retried = await me.call('PUT', '/v1/settings', body, { 'Idempotency-Key': 'K-dead' });
    expect(retried.status).toBe(200);
    expect((await me.call('GET', '/v1/settings')).body).toEqual({ emailNotifications: false });
  });

  it('a document request retried after its answer was lost makes one document, not two', async () => {
    const me = await newCustomer(s);
    const key = { 'Idempotency-Key': 'K-document-1' };
    const first = await me.call('POST', '/v1/documents', { type: 'receivables' }, key);
    expect(first.status).toBe(202);
    // As after a 503 that came once the workflow had started: the stored answer is gone.
    await s.db.deleteFrom('idempotency_keys').where('key', '=', key['Idempotency-Key']).execute();
    const again = await me.call('POST', '/v1/documents', { type: 'receivables' }, key);
    expect(again).toMatchObject({ status: 202, body: { documentId: first.body.documentId } });
    await expect.poll(async () => (await me.call('GET', `/v1/documents/${first.body.documentId}`)).body.status, { timeout: 30_000 }).toBe('ready');
    // Once the workflow has finished, a further repeat still answers with the same document.
    await s.db.deleteFrom('idempotency_keys').where('key', '=', key['Idempotency-Key']).execute();
    expect(await me.call('POST', '/v1/documents', { type: 'receivables' }, key)).toMatchObject({ status: 202, body: { documentId: first.body.documentId } });
    expect((await s.db.selectFrom('documents').select('id').where('customer_id', '=', me.id).execute()).length).toBe(1);
  });

  it('stores keys under the derived scope and hands Temporal a derived update id, not the raw key', async () => {
    const me = await newCustomer(s);
    const invoiceId = await invoiceFromCart(me.call, { 'IDEM-2': 1 });
    const raw = 'K-raw-update-id';
    const edited = await me.call('PATCH', `/v1/invoices/${invoiceId}`, { lines: [{ sku: 'IDEM-2', quantity: 1 }] }, { 'Idempotency-Key': raw });
    expect(edited.status).toBe(200);
    const row = await s.db.selectFrom('idempotency_keys').select(['principal', 'scope']).where('key', '=', raw).executeTakeFirstOrThrow();
    expect(row).toEqual({ principal: `customer:user-${me.id.slice(0, 8)}:${me.id}`, scope: `PATCH /v1/invoices/${invoiceId}` });
    // The update id is derived from (principal, method, path, key); one with the raw key was never sent.
    const derived = `idem-${createHash('sha256').update(`${row.principal}\n${row.scope}\n${raw}`).digest('hex').slice(0, 40)}`;
    const handle = s.client.workflow.getHandle(`invoice/${invoiceId}`);
    expect(await handle.getUpdateHandle<{ version: number }>(derived).result()).toMatchObject({ version: edited.body.version });
    await expect(handle.getUpdateHandle(raw).result()).rejects.toThrow();
  });
});
