// Placing an order as the portal does, timed to the moment its effects are all visible: the order
// invoiced (its invoice confirmed) and both emails handed to the email provider.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Call } from '../../test/faults/support/http.js';
import type { BenchContext } from './context.js';

const POLL_MS = 10;

export async function placeOrder(ctx: BenchContext, call: Call, lines: Record<string, number>): Promise<{ orderId: string; invoiceId: string }> {
  for (const [sku, quantity] of Object.entries(lines)) {
    const put = await call('PUT', `/v1/cart/items/${encodeURIComponent(sku)}`, { body: { quantity } });
    if (put.status !== 200) throw new Error(`cart: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const checkout = await call('POST', '/v1/cart/checkout', { body: { target: 'new' } });
  if (checkout.status !== 202) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const { orderId } = checkout.body as { orderId: string };
  let invoiceId: string | undefined;
  for (const deadline = Date.now() + 120_000; !invoiceId; ) {
    const order = await call('GET', `/v1/orders/${orderId}`);
    const body = order.body as { status?: string; invoiceId?: string };
    if (body.status === 'failed') throw new Error(`order ${orderId} failed: ${JSON.stringify(body)}`);
    if (body.status === 'invoiced') invoiceId = body.invoiceId;
    if (Date.now() > deadline) throw new Error(`order ${orderId} not invoiced in 120 s`);
    if (!invoiceId) await sleep(POLL_MS);
  }
  await emailsDelivered(ctx, [`order/${orderId}/placed`, `invoice/${invoiceId}/created`]);
  return { orderId, invoiceId };
}

export async function emailsDelivered(ctx: BenchContext, keys: string[]): Promise<void> {
  for (const deadline = Date.now() + 120_000; ; ) {
    const delivered = new Set(ctx.system.resend.emails.filter((e) => e.delivered).map((e) => e.key));
    if (keys.every((k) => delivered.has(k))) return;
    if (Date.now() > deadline) throw new Error(`emails ${keys.join(', ')} not delivered in 120 s`);
    await sleep(POLL_MS);
  }
}

/** Events of a workflow's history by type: workflow tasks, activities, and all events. */
export async function historyCounts(ctx: BenchContext, workflowId: string): Promise<{ events: number; workflowTasks: number; activities: number }> {
  const history = await ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    events: events.length,
    workflowTasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
  };
}
