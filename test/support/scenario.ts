import { expect } from 'vitest';
import type { User } from '../../api/auth.js';
import { addCustomer, customerUser } from './fixtures.js';
import { client, type Reply } from './http.js';
import type { TestStack } from './stack.js';

export type Call = ReturnType<typeof client>;

/** A customer company with its own API client. */
export async function newCustomer(s: TestStack, opts: { managerEmail?: string; notifications?: boolean } = {}) {
  const id = await addCustomer(s.db, opts);
  return { id, call: client(s.app, customerUser(id)) };
}

export async function waitForInvoice(call: Call, orderId: string): Promise<string> {
  let invoiceId: string | undefined;
  await expect
    .poll(
      async () => {
        const order = await call('GET', `/v1/orders/${orderId}`);
        invoiceId = order.body.invoiceId;
        return order.body.status;
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe('invoiced');
  return invoiceId ?? '';
}

/** Cart → checkout → the invoice it became. */
export async function orderInvoice(call: Call, lines: Record<string, number>): Promise<Reply> {
  for (const [sku, quantity] of Object.entries(lines)) {
    const put = await call('PUT', `/v1/cart/items/${sku}`, { quantity });
    expect(put.status).toBe(200);
  }
  const checkout = await call('POST', '/v1/cart/checkout', { target: 'new' });
  expect(checkout.status).toBe(202);
  const invoiceId = await waitForInvoice(call, checkout.body.orderId);
  return call('GET', `/v1/invoices/${invoiceId}`);
}

export const staff = {
  admin: { sub: 'admin-1', role: 'admin' } satisfies User,
  warehouse: { sub: 'wh-1', role: 'warehouse' } satisfies User,
  manager: (email: string): User => ({ sub: `mgr-${email}`, role: 'manager', email }),
};
