import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { orderWorkflow } from '../workflows/order.workflow.js';
import { invoiceWorkflowId, orderWorkflowId } from '../core/contracts/ids.js';
import { getInvoiceQuery } from '../core/contracts/invoice.js';
import { CustomerIdAttribute, InvoiceNumberAttribute, InvoiceStatusAttribute } from '../core/contracts/search-attributes.js';
import { addCustomer, addProduct, stockOf } from './support/fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

async function placeOrder(customerId: string, lines: { sku: string; quantity: number }[]) {
  const orderId = randomUUID();
  const handle = await s.client.workflow.start<typeof orderWorkflow>('orderWorkflow', {
    workflowId: orderWorkflowId(orderId),
    taskQueue: s.config.temporal.taskQueue,
    args: [{ orderId, customerId, lines, placedAt: new Date().toISOString(), settings: s.config.durations }],
  });
  return { orderId, handle };
}

describe('orderWorkflow', () => {
  it('turns an order into a confirmed invoice with reservations, a number, emails and search attributes', async () => {
    const customerId = await addCustomer(s.db);
    await addProduct(s.db, 'OW-A', { onHand: 5, priceKopecks: 14990 });
    await addProduct(s.db, 'OW-B', { onHand: 100, priceKopecks: 6500 });
    const { orderId, handle } = await placeOrder(customerId, [
      { sku: 'OW-A', quantity: 8 },
      { sku: 'OW-B', quantity: 2 },
    ]);
    const { invoiceId } = await handle.result();

    const invoice = await s.client.workflow.getHandle(invoiceWorkflowId(invoiceId)).query(getInvoiceQuery);
    expect(invoice.status).toBe('confirmed');
    expect(invoice.number).toMatch(/^СЧ-\d{4}-\d{6}$/);
    expect(invoice.lines.map((l) => [l.sku, l.requested, l.approved])).toEqual([
      ['OW-A', 8, 5],
      ['OW-B', 2, 2],
    ]);
    expect(Date.parse(invoice.expiresAt ?? '') - Date.parse(invoice.confirmedAt ?? '')).toBe(10 * 24 * 3600 * 1000);
    expect(await stockOf(s.db, 'OW-A')).toEqual({ onHand: 5, reserved: 5, reservationsSum: 5 });

    const order = await s.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ status: 'invoiced', invoice_id: invoiceId });
    const row = await s.db.selectFrom('invoices').selectAll().where('id', '=', invoiceId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'confirmed', version: 1, total_kopecks: String(5 * 14990 + 2 * 6500), number: invoice.number });

    const { typedSearchAttributes: attributes } = await s.client.workflow.getHandle(invoiceWorkflowId(invoiceId)).describe();
    expect([attributes.get(CustomerIdAttribute), attributes.get(InvoiceStatusAttribute), attributes.get(InvoiceNumberAttribute)]).toEqual([
      customerId,
      'confirmed',
      invoice.number,
    ]);

    // both emails went out once, through the provider, with their idempotency keys
    await expect
      .poll(() =>
        s.resend.emails
          .filter((e) => e.status === 200)
          .map((e) => e.key)
          .sort(),
      )
      .toEqual([`invoice/${invoiceId}/created`, `order/${orderId}/placed`].sort());
    const created = s.resend.emails.find((e) => e.key === `invoice/${invoiceId}/created`);
    expect(JSON.stringify(created?.body)).toContain('нет в наличии');
  });

  it('keeps going when the email provider fails for a while', async () => {
    const customerId = await addCustomer(s.db);
    await addProduct(s.db, 'OW-C', { onHand: 5 });
    s.resend.failNext(2, 503);
    const { handle } = await placeOrder(customerId, [{ sku: 'OW-C', quantity: 1 }]);
    const { invoiceId } = await handle.result();
    await expect.poll(() => s.resend.emails.filter((e) => e.key === `invoice/${invoiceId}/created` && e.status === 200).length, { timeout: 20_000 }).toBe(1);
  });
});
