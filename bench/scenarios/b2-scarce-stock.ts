// B2: 64 customers check out one unit each of one scarce SKU at the same moment: checkouts
// completed per second, from the release until every order is invoiced or failed, and exactly the
// stock on hand sold. The floor is the reservation transaction alone (the repository function the
// reservation activity calls), 64 at once through a pool of the worker's size, same PostgreSQL.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createWorkerDb, type Db } from '../../db/database.js';
import { reserveInvoiceLines } from '../../db/stock.repository.js';
import { addCompanies } from '../../test/faults/support/scenario.js';
import type { Call } from '../../test/faults/support/http.js';
import { addProduct, stockOf } from '../../test/support/fixtures.js';
import type { BenchContext, Scenario, ScenarioResult } from '../lib/context.js';
import { overRounds } from '../lib/stats.js';

const CUSTOMERS = 64;
/** Fewer pieces than customers: the last 24 checkouts find nothing left. */
const ON_HAND = 40;
/** The worker's pool (DB_POOL_WORKER's default): the floor queues for connections as the activities do. */
const WORKER_POOL = 10;
const POLL_MS = 10;

interface Round {
  perSecond: number;
  serverErrors: number;
  failedOrders: number;
  sold: number;
  reserved: number;
  exact: boolean;
}

export const b2: Scenario = {
  id: 'B2',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const companies = await addCompanies(ctx.db, 'B2', CUSTOMERS);
    const customerIds = companies.map((c) => c.id);
    const calls = await Promise.all(companies.map((c) => ctx.as({ sub: `bench-${c.id.slice(0, 8)}`, role: 'customer', customerId: c.id })));
    const floorDb = createWorkerDb(ctx.system.postgres.url, WORKER_POOL);
    const rounds: Round[] = [];
    try {
      const figures = await overRounds(ctx.rounds, async (index) => {
        // A fresh SKU per round, so no round inherits another's reservations.
        const sku = `Б2-${index}-${randomUUID().slice(0, 8)}`;
        await addProduct(ctx.db, sku, { onHand: ON_HAND });
        const round = await checkoutAll(ctx, calls, customerIds, sku);
        rounds.push(round);
        const floor = await reservationsPerSecond(ctx.db, floorDb, index);
        return { checkouts: round.perSecond, floor };
      });
      const serverErrors = rounds.reduce((n, r) => n + r.serverErrors, 0);
      const exactRounds = rounds.filter((r) => r.exact).length;
      const last = rounds.at(-1)!;
      const ratio = figures.checkouts.median / figures.floor.median;
      return [
        {
          id: 'B2',
          scenario: `${CUSTOMERS} checkouts at once on one SKU of ${ON_HAND}`,
          unit: '/s',
          figure: figures.checkouts,
          floor: figures.floor,
          ratio,
          ratioMeaning: '× floor',
          goal: '≥ 0.5× floor, stock exact, no 5xx',
          met: ratio >= 0.5 && exactRounds === rounds.length && serverErrors === 0,
          counts: {
            'rounds with exactly the stock sold': `${exactRounds}/${rounds.length}`,
            'approved on invoices (last round)': last.sold,
            'stock.reserved (last round)': last.reserved,
            'on hand': ON_HAND,
            '5xx replies': serverErrors,
            'orders failed': rounds.reduce((n, r) => n + r.failedOrders, 0),
          },
        },
      ];
    } finally {
      await floorDb.destroy();
    }
  },
};

async function checkoutAll(ctx: BenchContext, calls: Call[], customerIds: string[], sku: string): Promise<Round> {
  let serverErrors = 0;
  const answered = (status: number, expected: number, what: string, body: unknown): boolean => {
    if (status >= 500) return (serverErrors++, false);
    if (status !== expected) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
    return true;
  };
  // Filling the carts is not timed: only the checkouts are released together.
  const filled = await Promise.all(
    calls.map(async (call) => {
      const put = await call('PUT', `/v1/cart/items/${encodeURIComponent(sku)}`, { body: { quantity: 1 } });
      return answered(put.status, 200, 'cart', put.body);
    }),
  );
  const started = performance.now();
  const checkouts = await Promise.all(calls.filter((_, i) => filled[i]).map((call) => call('POST', '/v1/cart/checkout', { body: { target: 'new' } })));
  const orderIds = checkouts.filter((c) => answered(c.status, 202, 'checkout', c.body)).map((c) => (c.body as { orderId: string }).orderId);
  const statuses = await ordersSettled(ctx.db, orderIds);
  const perSecond = orderIds.length / ((performance.now() - started) / 1000);

  // Every invoice of these customers, whether or not its checkout's answer arrived.
  const { rows } = await sql<{ approved: number }>`
    select coalesce(sum((line->>'approved')::int), 0)::int as approved
    from invoices, jsonb_array_elements(lines) as line
    where customer_id = any(${customerIds}::uuid[]) and line->>'sku' = ${sku}`.execute(ctx.db);
  const sold = rows[0]?.approved ?? 0;
  const stock = await stockOf(ctx.db, sku);
  return {
    perSecond,
    serverErrors,
    failedOrders: statuses.filter((s) => s === 'failed').length,
    sold,
    reserved: stock.reserved,
    exact: sold === ON_HAND && stock.reserved === ON_HAND && stock.reservationsSum === ON_HAND && stock.onHand === ON_HAND,
  };
}

/**
 * Waits until every order is invoiced or failed, and returns their statuses. One poller on the
 * orders read model rather than 64 on the API, so the waiting adds no load to what is measured.
 */
async function ordersSettled(db: Db, orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  for (const deadline = Date.now() + 120_000; ;) {
    const rows = await db.selectFrom('orders').select('status').where('id', 'in', orderIds).execute();
    const statuses = rows.map((r) => r.status);
    if (rows.length === orderIds.length && statuses.every((s) => s === 'invoiced' || s === 'failed')) return statuses;
    if (Date.now() > deadline) throw new Error(`orders not settled in 120 s: ${statuses.join(', ')}`);
    await sleep(POLL_MS);
  }
}

/** The reservation transaction alone: 64 fresh invoices take one unit each of a fresh SKU at once. */
async function reservationsPerSecond(db: Db, floorDb: Db, index: number): Promise<number> {
  const sku = `Б2-FLOOR-${index}-${randomUUID().slice(0, 8)}`;
  await addProduct(db, sku, { onHand: ON_HAND });
  // The worker's pool is warm; so is the floor's before it is timed (idle connections close after 10 s).
  await Promise.all(Array.from({ length: WORKER_POOL }, () => sql`select 1`.execute(floorDb)));
  const started = performance.now();
  await Promise.all(Array.from({ length: CUSTOMERS }, () => reserveInvoiceLines(floorDb, randomUUID(), [{ sku, quantity: 1 }])));
  return CUSTOMERS / ((performance.now() - started) / 1000);
}
