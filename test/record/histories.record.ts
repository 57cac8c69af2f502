import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addProduct } from '../support/fixtures.js';
import { client } from '../support/http.js';
import { newCustomer, orderInvoice, staff } from '../support/scenario.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ MERGE_CLEANUP_DELAY: '2s', INVOICE_TTL: '8s', INVOICE_REMINDER_BEFORE: '4s' });
});
afterAll(() => s.stop());

async function save(name: string, workflowId: string): Promise<void> {
  const history = await s.client.workflow.getHandle(workflowId).fetchHistory();
  // protobufjs' own JSON form; historyFromJSON reads it back (test/replay.test.ts).
  writeFileSync(new URL(`../histories/${name}.json`, import.meta.url), JSON.stringify(history));
}

it('records one history per workflow type and path', async () => {
  const warehouse = client(s.app, staff.warehouse);
  const manager = client(s.app, staff.manager('rec@supplier.example'));
  await addProduct(s.db, 'REC-A', { onHand: 100 });
  await addProduct(s.db, 'REC-B', { onHand: 100 });
  const me = await newCustomer(s, { managerEmail: 'rec@supplier.example' });

  // order → invoice through every lifecycle step
  const inv = (await orderInvoice(me.call, { 'REC-A': 10, 'REC-B': 5 })).body;
  await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'REC-A', quantity: 8 }] });
  await me.call('POST', `/v1/invoices/${inv.id}/submit`);
  await me.call('PUT', '/v1/cart/items/REC-B', { quantity: 2 });
  await me.call('POST', '/v1/cart/checkout', { target: { invoiceId: inv.id } });
  await manager('POST', `/v1/manager/invoices/${inv.id}/lines`, { lines: [{ sku: 'REC-A', price: '90.00' }], comment: 'скидка' });
  const cut = await warehouse('PUT', '/v1/warehouse/stock/REC-B', { onHand: 3 });
  await expect.poll(async () => (await me.call('GET', `/v1/invoices/${inv.id}`)).body.version).toBeGreaterThanOrEqual(6);
  await me.call('POST', `/v1/invoices/${inv.id}/submit`);
  await me.call('POST', `/v1/invoices/${inv.id}/ship`);
  for (const status of ['to_warehouse', 'assembled', 'shipped'])
    expect((await warehouse('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status })).status).toBe(200);
  await me.call('POST', `/v1/invoices/${inv.id}/inventory-request`);
  await save('order', `order/${inv.orderId}`);
  await save('invoice-lifecycle', `invoice/${inv.id}`);
  await save('stock-correction', `stock/${(await s.db.selectFrom('stock_corrections').select('id').executeTakeFirstOrThrow()).id}`);
  expect(cut.status).toBe(200);

  // merge → undo, and merge → cleanup
  const [a, b, c, d] = [
    (await orderInvoice(me.call, { 'REC-A': 1 })).body,
    (await orderInvoice(me.call, { 'REC-A': 1 })).body,
    (await orderInvoice(me.call, { 'REC-A': 1 })).body,
    (await orderInvoice(me.call, { 'REC-A': 1 })).body,
  ];
  const undone = (await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] })).body.invoiceId as string;
  expect((await me.call('POST', `/v1/invoices/${undone}/unmerge`)).status).toBe(200);
  const kept = (await me.call('POST', '/v1/invoices/merge', { invoiceIds: [c.id, d.id] })).body.invoiceId as string;
  await expect.poll(async () => (await me.call('GET', `/v1/invoices/${c.id}`)).body.status, { timeout: 15_000 }).toBe('deleted');
  await save('merge-undone', `merge/${undone}`);
  await save('merge-cleaned', `merge/${kept}`);
  await save('invoice-merged-source', `invoice/${c.id}`);
  await save('invoice-unmerged-source', `invoice/${a.id}`);

  // expiry with a reminder (durations of seconds)
  const expiring = (await orderInvoice(me.call, { 'REC-A': 1 })).body;
  await expect.poll(async () => (await me.call('GET', `/v1/invoices/${expiring.id}`)).body.status, { timeout: 20_000 }).toBe('deleted');
  await save('invoice-expired', `invoice/${expiring.id}`);

  // a document
  const doc = (await me.call('POST', '/v1/documents', { type: 'receivables' })).body.documentId as string;
  await expect.poll(async () => (await me.call('GET', `/v1/documents/${doc}`)).body.status, { timeout: 20_000 }).toBe('ready');
  await expect.poll(async () => (await s.client.workflow.getHandle(`document/${doc}`).describe()).status.name, { timeout: 20_000 }).toBe('COMPLETED');
  await save('document', `document/${doc}`);
});
