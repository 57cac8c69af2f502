// Placing an order as the portal does, timed to the moment its effects are all visible: the order
// invoiced (its invoice confirmed) and both emails handed to the email provider. The waiting is
// watched by one loop for every order in flight (one query, and the fake provider's list read
// in-process): a client polling each order over HTTP would load the very system being measured.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Call } from '../../test/faults/support/http.js';
import type { BenchContext } from './context.js';

const POLL_MS = 10;
const WITHIN_MS = 120_000;

interface Waiter {
  done(invoiceId: string | undefined): boolean;
  resolve(): void;
  reject(error: Error): void;
  deadline: number;
  what: string;
}

/** One loop watching the `orders` table and the delivered emails for every waiter at once. */
class Watcher {
  private readonly waiters = new Set<Waiter & { orderId: string }>();
  private readonly delivered = new Set<string>();
  private scanned = 0;
  private running = false;

  constructor(private readonly ctx: BenchContext) {}

  delivers(key: string): boolean {
    return this.delivered.has(key);
  }

  wait(orderId: string, what: string, done: (invoiceId: string | undefined) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.add({ orderId, what, done, resolve, reject, deadline: Date.now() + WITHIN_MS });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.waiters.size > 0) {
        const emails = this.ctx.system.resend.emails;
        for (; this.scanned < emails.length; this.scanned++) {
          const e = emails[this.scanned];
          if (e?.delivered && e.key) this.delivered.add(e.key);
        }
        const ids = [...new Set([...this.waiters].map((w) => w.orderId))];
        const rows = await this.ctx.db.selectFrom('orders').select(['id', 'status', 'invoice_id']).where('id', 'in', ids).execute();
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const w of this.waiters) {
          const row = byId.get(w.orderId);
          if (row?.status === 'failed') this.settle(w, new Error(`order ${w.orderId} failed`));
          else if (row?.status === 'invoiced' && w.done(row.invoice_id ?? undefined)) this.settle(w);
          else if (Date.now() > w.deadline) this.settle(w, new Error(`order ${w.orderId}: ${w.what} not within ${WITHIN_MS / 1000} s`));
        }
        await sleep(POLL_MS);
      }
    } finally {
      this.running = false;
    }
  }

  private settle(w: Waiter & { orderId: string }, error?: Error): void {
    this.waiters.delete(w);
    if (error) w.reject(error);
    else w.resolve();
  }
}

const watchers = new WeakMap<BenchContext, Watcher>();
function watcherOf(ctx: BenchContext): Watcher {
  let watcher = watchers.get(ctx);
  if (!watcher) watchers.set(ctx, (watcher = new Watcher(ctx)));
  return watcher;
}

export async function placeOrder(ctx: BenchContext, call: Call, lines: Record<string, number>): Promise<{ orderId: string; invoiceId: string }> {
  for (const [sku, quantity] of Object.entries(lines)) {
    const put = await call('PUT', `/v1/cart/items/${encodeURIComponent(sku)}`, { body: { quantity } });
    if (put.status !== 200) throw new Error(`cart: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const checkout = await call('POST', '/v1/cart/checkout', { body: { target: 'new' } });
  if (checkout.status !== 202) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const { orderId } = checkout.body as { orderId: string };
  const watcher = watcherOf(ctx);
  let invoiceId = '';
  await watcher.wait(orderId, 'invoice and both emails', (id) => {
    invoiceId = id ?? '';
    return watcher.delivers(`order/${orderId}/placed`) && watcher.delivers(`invoice/${invoiceId}/created`);
  });
  return { orderId, invoiceId };
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
