import type { Call } from './scenario.js';

/** Cart → checkout → the invoice id, polled by hand (usable in beforeAll, unlike expect.poll). */
export async function invoiceFromCart(call: Call, lines: Record<string, number>): Promise<string> {
  for (const [sku, quantity] of Object.entries(lines)) {
    const put = await call('PUT', `/v1/cart/items/${encodeURIComponent(sku)}`, { quantity });
    if (put.status !== 200) throw new Error(`PUT cart ${sku}: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const checkout = await call('POST', '/v1/cart/checkout', { target: 'new' });
  if (checkout.status !== 202) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const order = await call('GET', `/v1/orders/${checkout.body.orderId}`);
    if (order.body.status === 'invoiced') return order.body.invoiceId as string;
    if (order.body.status === 'failed') throw new Error(`order failed: ${JSON.stringify(order.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no invoice within 30 s');
}
