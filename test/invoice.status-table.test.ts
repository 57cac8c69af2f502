import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from './support/fixtures.js';
import { client } from './support/http.js';
import { newCustomer, orderInvoice, staff, type Call } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

// The status table of PRODUCT.md, written out by hand (not derived from the code under test):
// what the customer may do in each status (plus answering a change line by line, issue 15). Every
// other action must be refused with 409.
const TABLE = {
  confirmed: ['edit', 'addItems', 'ship', 'merge', 'cancel'],
  draft: ['edit', 'addItems', 'submit', 'merge', 'cancel'],
  changed: ['edit', 'addItems', 'submit', 'answerChanges', 'merge', 'cancel'],
  shipment_confirmed: ['requestInventory'],
  to_warehouse: ['requestInventory'],
  assembled: ['requestInventory'],
  shipped: ['requestInventory'],
  marked_for_deletion: [],
  deleted: [],
} as const;
type Status = keyof typeof TABLE;
const ACTIONS = ['edit', 'addItems', 'submit', 'answerChanges', 'ship', 'merge', 'cancel', 'requestInventory'] as const;
type Action = (typeof ACTIONS)[number];

let s: TestStack;
let me: { id: string; call: Call };
beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'ST-A', { onHand: 100_000 });
  me = await newCustomer(s, { managerEmail: 'table@supplier.example' });
});
afterAll(() => s.stop());

/** A fresh invoice brought into `status` through the API, as users would. */
async function invoiceIn(status: Status): Promise<string> {
  const id = (await orderInvoice(me.call, { 'ST-A': 2 })).body.id as string;
  const warehouse = client(s.app, staff.warehouse);
  const step = async (res: Promise<{ status: number }>) => expect((await res).status).toBeLessThan(300);
  switch (status) {
    case 'confirmed':
      break;
    case 'draft':
      await step(me.call('PATCH', `/v1/invoices/${id}`, { lines: [{ sku: 'ST-A', quantity: 1 }] }));
      break;
    case 'changed':
      await step(
        client(s.app, staff.manager('table@supplier.example'))('POST', `/v1/manager/invoices/${id}/lines`, {
          lines: [{ sku: 'ST-A', price: '1.00' }],
          comment: 'цена',
        }),
      );
      break;
    case 'deleted':
      await step(me.call('POST', `/v1/invoices/${id}/cancel`));
      break;
    case 'marked_for_deletion': {
      const other = (await orderInvoice(me.call, { 'ST-A': 1 })).body.id as string;
      await step(me.call('POST', '/v1/invoices/merge', { invoiceIds: [id, other] }));
      break;
    }
    default: {
      await step(me.call('POST', `/v1/invoices/${id}/ship`));
      for (const next of ['to_warehouse', 'assembled', 'shipped'] as const) {
        if (status === 'shipment_confirmed') break;
        await step(warehouse('POST', `/v1/warehouse/invoices/${id}/status`, { status: next }));
        if (next === status) break;
      }
    }
  }
  const view = (await me.call('GET', `/v1/invoices/${id}`)).body;
  expect(view.status).toBe(status);
  return id;
}

async function attempt(action: Action, id: string): Promise<{ status: number; body: { code?: string } }> {
  switch (action) {
    case 'edit':
      return me.call('PATCH', `/v1/invoices/${id}`, { lines: [{ sku: 'ST-A', quantity: 1 }] });
    case 'addItems':
      await me.call('PUT', '/v1/cart/items/ST-A', { quantity: 1 });
      return me.call('POST', '/v1/cart/checkout', { target: { invoiceId: id } });
    case 'merge': {
      const partner = (await orderInvoice(me.call, { 'ST-A': 1 })).body.id as string;
      return me.call('POST', '/v1/invoices/merge', { invoiceIds: [id, partner] });
    }
    case 'requestInventory':
      return me.call('POST', `/v1/invoices/${id}/inventory-request`);
    case 'answerChanges':
      return me.call('POST', `/v1/invoices/${id}/answer-changes`, { lines: [{ sku: 'ST-A', answer: 'accept' }] });
    default:
      return me.call('POST', `/v1/invoices/${id}/${action}`);
  }
}

describe('the status table', () => {
  for (const status of Object.keys(TABLE) as Status[]) {
    it(`${status}: offers exactly its actions, does them, and refuses the others`, async () => {
      const allowed: readonly Action[] = TABLE[status];
      const probe = await invoiceIn(status);
      expect((await me.call('GET', `/v1/invoices/${probe}`)).body.allowedActions.sort()).toEqual([...allowed].sort());

      for (const action of ACTIONS.filter((a) => !allowed.includes(a))) {
        const before = (await me.call('GET', `/v1/invoices/${probe}`)).body;
        const res = await attempt(action, probe);
        expect(res.status, `${status} → ${action}`).toBe(409);
        expect(['invalid_transition', 'invoice_locked'], `${status} → ${action}`).toContain(res.body.code);
        const after = (await me.call('GET', `/v1/invoices/${probe}`)).body;
        expect(after, `${status} → ${action} changed the invoice`).toEqual(before);
      }
      await me.call('DELETE', '/v1/cart');

      for (const action of allowed) {
        const res = await attempt(action, await invoiceIn(status));
        expect(res.status, `${status} → ${action}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      }
    });
  }
});
