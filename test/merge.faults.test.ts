import { ApplicationFailure } from '@temporalio/common';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './support/http.js';
import { addProduct, stockOf } from './support/fixtures.js';
import { stockViolations } from './support/invariants.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Every step of the merge saga fails once on demand (an activity interceptor throws instead of
 * running it): the merge is refused, and the sources come back exactly as they were, unlocked,
 * with their stock. Also: stock cuts landing on a merge, and on picked goods.
 */
interface Fault {
  activity: string;
  /** Matches the activity's input, e.g. a merge step's name and target. */
  when?: (input: Record<string, unknown>) => boolean;
}
let fault: Fault | null = null;

function failOnDemand(ctx: ActivityContext): { inbound: ActivityInboundCallsInterceptor } {
  return {
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        const arg = (input.args[0] ?? {}) as Record<string, unknown>;
        if (fault && ctx.info.activityType === fault.activity && (!fault.when || fault.when(arg))) {
          fault = null;
          throw ApplicationFailure.nonRetryable(`injected failure in ${ctx.info.activityType}`, 'invalid_transition');
        }
        return next(input);
      },
    },
  };
}

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({}, undefined, { activity: [failOnDemand] });
});
afterAll(() => s.stop());

async function settled(): Promise<void> {
  await expect.poll(() => stockViolations(s.db), { timeout: 20_000, interval: 200 }).toEqual([]);
}

const steps: [string, Fault | ((ids: string[]) => Fault)][] = [
  ['locking the second source', (ids) => ({ activity: 'sendMergeStep', when: (a) => a.step === 'lock' && a.invoiceId === ids[1] })],
  ['allocating the number', { activity: 'allocateNumber', when: (a) => a.kind === 'invoice' }],
  ['moving the reservations', { activity: 'moveReservations' }],
  ['writing the new invoice', { activity: 'projectInvoice', when: (a) => (a.event as { action?: string } | null)?.action === 'merge_create' }],
  ['marking the second source', (ids) => ({ activity: 'sendMergeStep', when: (a) => a.step === 'mark' && a.invoiceId === ids[1] })],
];

describe('a merge that fails at any step undoes everything', () => {
  it.each(steps)('fails while %s', async (_name, make) => {
    const sku = `MF-${Math.random().toString(36).slice(2, 8)}`;
    await addProduct(s.db, sku, { onHand: 50 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { [sku]: 3 })).body;
    const b = (await orderInvoice(me.call, { [sku]: 4 })).body;
    fault = typeof make === 'function' ? make([a.id, b.id]) : make;
    const merge = await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] });
    expect(merge).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    expect(fault).toBeNull(); // the fault did fire

    for (const [source, quantity] of [
      [a, 3],
      [b, 4],
    ] as const) {
      await expect.poll(async () => (await me.call('GET', `/v1/invoices/${source.id}`)).body.status, { timeout: 10_000 }).toBe('confirmed');
      // Unlocked: the customer can act on it again.
      const edit = await me.call('PATCH', `/v1/invoices/${source.id}`, { lines: [{ sku, quantity }] });
      expect(edit.status).toBe(200);
    }
    const merged = await s.db.selectFrom('invoices').select(['id', 'status']).where('merged_from', 'is not', null).execute();
    expect(merged.filter((m) => m.status !== 'deleted')).toEqual([]);
    expect(await stockOf(s.db, sku)).toEqual({ onHand: 50, reserved: 7, reservationsSum: 7 });
    await settled();
  });
});

describe('stock cuts around merges and picking', () => {
  it('a cut landing while a merge runs is shown on the merged invoice', async () => {
    const sku = 'MF-CUT';
    await addProduct(s.db, sku, { onHand: 10 });
    const me = await newCustomer(s);
    const a = (await orderInvoice(me.call, { [sku]: 5 })).body;
    const b = (await orderInvoice(me.call, { [sku]: 5 })).body;
    const warehouse = client(s.app, staff.warehouse);
    const [merge, cut] = await Promise.all([
      me.call('POST', '/v1/invoices/merge', { invoiceIds: [a.id, b.id] }),
      warehouse('PUT', `/v1/warehouse/stock/${sku}`, { onHand: 6 }),
    ]);
    expect(cut.status).toBe(200);
    expect(merge.status).toBe(202);
    await expect.poll(async () => (await me.call('GET', `/v1/invoices/${merge.body.invoiceId}`)).body.lines[0]?.approved, { timeout: 15_000 }).toBe(6);
    await settled();
  });

  it('picked goods are never cut; a cut racing the pick either wins before it or leaves it alone', async () => {
    const sku = 'MF-PICK';
    await addProduct(s.db, sku, { onHand: 40 });
    const warehouse = client(s.app, staff.warehouse);
    const me = await newCustomer(s);
    const invoices = [];
    for (let i = 0; i < 4; i++) {
      const inv = (await orderInvoice(me.call, { [sku]: 10 })).body;
      expect((await me.call('POST', `/v1/invoices/${inv.id}/ship`)).status).toBe(200);
      invoices.push(inv.id as string);
    }
    const [picks, cut] = await Promise.all([
      Promise.all(invoices.map((id) => warehouse('POST', `/v1/warehouse/invoices/${id}/status`, { status: 'to_warehouse' }))),
      warehouse('PUT', `/v1/warehouse/stock/${sku}`, { onHand: 25 }),
    ]);
    expect([...picks.map((p) => p.status), cut.status].every((st) => st === 200 || st === 409 || st === 422)).toBe(true);
    await settled();
    const statuses = await Promise.all(invoices.map(async (id) => (await me.call('GET', `/v1/invoices/${id}`)).body));
    for (const [i, inv] of statuses.entries()) {
      if (picks[i]?.status === 200) expect(inv).toMatchObject({ status: 'to_warehouse', lines: [{ approved: 10 }] });
      else expect(inv.status).toBe('changed');
    }
    // The cut takes at most 15 of 40 pieces, so at least two invoices are picked: a correction
    // to zero would have to cut picked goods, and is refused whole.
    expect(picks.filter((p) => p.status === 200).length).toBeGreaterThanOrEqual(2);
    const before = await stockOf(s.db, sku);
    expect(await warehouse('PUT', `/v1/warehouse/stock/${sku}`, { onHand: 0 })).toMatchObject({ status: 422, body: { code: 'invalid_stock' } });
    expect(await stockOf(s.db, sku)).toEqual(before);
    await settled();
  });
});
