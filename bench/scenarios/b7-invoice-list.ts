// B7: the invoice list of a customer with 100,000 invoices in the read model: GET /v1/invoices,
// the first page and one deep in, p99 over requests one after another. The floor is the list's
// own query (listInvoices) straight on the same PostgreSQL with the same parameters.
import { CompiledQuery, createQueryId, sql, type RootOperationNode } from 'kysely';
import { encodeCursor } from '../../api/router.js';
import type { Db } from '../../db/database.js';
import { listInvoices } from '../../db/invoices.repository.js';
import { invoiceTotal, type InvoiceLine } from '../../core/domain/invoice.js';
import { addCompanies } from '../../test/faults/support/scenario.js';
import type { Call } from '../../test/faults/support/http.js';
import type { BenchContext, Scenario, ScenarioResult } from '../lib/context.js';
import { overRounds, percentile } from '../lib/stats.js';

const INVOICES = 100_000;
const BATCH = 25_000;
/** The API's default page. */
const PAGE = 50;
/** Where the deep page starts: 600 pages in. */
const DEEP = 30_000;
const REQUESTS = 200;
const WARM_UP = 10;

type After = { createdAt: string; id: string };

export const b7: Scenario = {
  id: 'B7',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const [company] = await addCompanies(ctx.db, 'B7', 1);
    const customerId = company!.id;
    await insertInvoices(ctx.db, customerId, company!.sku.B);
    const call = await ctx.as({ sub: 'bench-b7', role: 'customer', customerId });

    const deepRow = await ctx.db
      .selectFrom('invoices')
      .select(['created_at', 'id'])
      .where('customer_id', '=', customerId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset(DEEP - 1)
      .limit(1)
      .executeTakeFirstOrThrow();
    const deep: After = { createdAt: deepRow.created_at.toISOString(), id: deepRow.id };
    const pages = {
      first: { path: `/v1/invoices?limit=${PAGE}`, after: undefined },
      deep: { path: `/v1/invoices?limit=${PAGE}&cursor=${encodeCursor([deep.createdAt, deep.id])}`, after: deep },
    };
    // The API asks for one row more than the page, to know whether a next page exists.
    const list = (db: Db, after: After | undefined) => listInvoices(db, { customerId }, { limit: PAGE + 1, ...(after ? { after } : {}) });

    const figures = await overRounds(ctx.rounds, async () => {
      const first = await timePage(call, pages.first.path, () => list(ctx.db, undefined));
      const deepPage = await timePage(call, pages.deep.path, () => list(ctx.db, deep));
      return { first: first.api, firstFloor: first.floor, deep: deepPage.api, deepFloor: deepPage.floor };
    });

    const row = (which: 'first' | 'deep', floor: 'firstFloor' | 'deepFloor', what: string): ScenarioResult => {
      const ratio = figures[which].median / figures[floor].median;
      return {
        id: 'B7',
        scenario: `invoice list, ${what}, p99`,
        unit: 'ms',
        figure: figures[which],
        floor: figures[floor],
        ratio,
        ratioMeaning: '× floor',
        goal: '≤ 2× floor',
        met: ratio <= 2,
      };
    };
    const firstPlan = await planOf(ctx.db, (db) => list(db, undefined));
    const deepPlan = await planOf(ctx.db, (db) => list(db, deep));
    const counts = await ctx.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    const result = [row('first', 'firstFloor', 'first page'), row('deep', 'deepFloor', `page ${DEEP / PAGE + 1}`)];
    result[1]!.counts = {
      "the customer's invoices": Number(counts.n),
      'first page plan': firstPlan.scan,
      'deep page plan': deepPlan.scan,
      'deep page rows removed by filter': deepPlan.removedByFilter,
    };
    return result;
  },
};

/**
 * Inserts the invoices straight into the read model, in a few statements. One second apart, so
 * their times are whole milliseconds, as the workflow writes them (the cursor carries an ISO time).
 */
async function insertInvoices(db: Db, customerId: string, sku: string): Promise<void> {
  const lines: InvoiceLine[] = [1, 2, 3].map((n) => ({
    sku,
    article: sku.split('-')[0] ?? sku,
    name: `Колготки ${sku}`,
    characteristic: 'размер 3, чёрный',
    requested: 10 * n,
    approved: 10 * n,
    priceKopecks: 14990,
    piecesPerBox: 10,
  }));
  const newest = new Date(Math.floor(Date.now() / 1000) * 1000);
  for (let from = 1; from <= INVOICES; from += BATCH) {
    const to = Math.min(INVOICES, from + BATCH - 1);
    await sql`
      insert into invoices (id, number, customer_id, order_id, status, version, lines, total_kopecks, created_at)
      select gen_random_uuid(), 'Б7-' || ${customerId.slice(0, 8)} || '-' || g, ${customerId}, gen_random_uuid(), 'confirmed', 1,
             ${JSON.stringify(lines)}::jsonb, ${invoiceTotal(lines)}, ${newest}::timestamptz - g * interval '1 second'
      from generate_series(${from}::int, ${to}::int) as g`.execute(db);
  }
  // The planner sees the table as autovacuum would leave it, not as it was before the insert.
  await sql`analyze invoices`.execute(db);
}

/**
 * p99 of the page through the API and of its query alone. The two alternate, so a busy moment on
 * the shared machine falls on both alike.
 */
async function timePage(call: Call, path: string, query: () => Promise<unknown>): Promise<{ api: number; floor: number }> {
  const api: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < WARM_UP + REQUESTS; i++) {
    let started = performance.now();
    const page = await call('GET', path);
    if (page.status !== 200 || (page.body as { items: unknown[] }).items.length !== PAGE) {
      throw new Error(`list: ${page.status} ${JSON.stringify(page.body).slice(0, 500)}`);
    }
    if (i >= WARM_UP) api.push(performance.now() - started);
    started = performance.now();
    await query();
    if (i >= WARM_UP) floor.push(performance.now() - started);
  }
  return { api: percentile(api, 99), floor: percentile(floor, 99) };
}

/**
 * EXPLAIN ANALYZE of exactly the SQL listInvoices sends, caught on its way out by a plugin: which
 * index (if any) the plan reads, and how many rows it reads only to drop them.
 */
async function planOf(db: Db, list: (db: Db) => Promise<unknown>): Promise<{ scan: string; removedByFilter: number }> {
  let caught: RootOperationNode | undefined;
  await list(db.withPlugin({ transformQuery: ({ node }) => (caught = node), transformResult: ({ result }) => Promise.resolve(result) }));
  const query = db.getExecutor().compileQuery(caught!, createQueryId());
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain analyze ${query.sql}`, [...query.parameters]));
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  const index = /(Index(?: Only)? Scan(?: Backward)?) using (\S+)/.exec(plan);
  return {
    scan: index ? `${index[1]} using ${index[2]}` : /Seq Scan/.test(plan) ? 'Seq Scan' : plan.split('\n')[0]!,
    removedByFilter: [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0),
  };
}
