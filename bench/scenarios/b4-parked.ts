// B4: many open invoices parked on their expiry timers. Figures: the worker's resident memory per
// parked invoice (against the worker with none), and an edit to an invoice long out of the
// worker's cache (its history replayed) against an edit to one just touched.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InvoiceState } from '../../core/contracts/invoice.js';
import type { InvoiceWorkflowInput } from '../../core/contracts/invoice.js';
import { projectInvoice } from '../../db/invoices.repository.js';
import { addProduct } from '../../test/support/fixtures.js';
import { addCompanies } from '../../test/faults/support/scenario.js';
import { WORKER_CACHE, type BenchContext, type Scenario, type ScenarioResult } from '../lib/context.js';
import { lanes, percentile, summarize } from '../lib/stats.js';
import { samplesOf } from '../../test/support/prometheus.js';

/** 10,000 as the goal says; BENCH_B4_INVOICES makes a quicker look possible. */
const INVOICES = Number(process.env.BENCH_B4_INVOICES ?? 10_000);
const EDITS = 50;
const SKU = 'B4-PARKED';

const rssMb = (pid: number | undefined) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid ?? 'self'}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
};

function parkedInvoice(customerId: string, i: number): InvoiceState {
  const now = Date.now();
  const line = { sku: SKU, article: 'B4', name: 'Колготки для стоянки', characteristic: null, requested: 1, approved: 0, priceKopecks: 100, piecesPerBox: 1 };
  return {
    id: randomUUID(),
    number: `СЧ-B4-${String(i).padStart(6, '0')}`,
    customerId,
    orderId: null,
    status: 'confirmed',
    lines: [line],
    version: 1,
    createdAt: new Date(now).toISOString(),
    confirmedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 10 * 86_400_000).toISOString(),
    mergedInto: null,
    boxes: null,
    realization: null,
  };
}

export const b4: Scenario = {
  id: 'B4',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const [company] = await addCompanies(ctx.db, 'B4', 1);
    await addProduct(ctx.db, SKU, { onHand: 1_000_000 });
    const call = await ctx.as({ sub: 'bench-b4', role: 'customer', customerId: company!.id });
    const workerPid = ctx.system.workers[0]?.pid();
    const before = rssMb(workerPid);

    const created = () => ctx.system.resend.emails.filter((e) => e.delivered && e.key?.startsWith('invoice/') && e.key.endsWith('/created')).length;
    const baseline = created();
    // Started the way an order starts them: the read model first, then the workflow.
    const ids: string[] = [];
    const startedAt = Date.now();
    await lanes(32, INVOICES, async (i) => {
      const state = parkedInvoice(company!.id, i);
      await projectInvoice(ctx.db, state, null);
      const input: InvoiceWorkflowInput = {
        state,
        settings: { invoiceTtlMs: 10 * 86_400_000, reminderBeforeMs: 2 * 86_400_000, mergeCleanupDelayMs: 300_000 },
      };
      await ctx.temporal.workflow.start('invoiceWorkflow', { taskQueue: 'orders', workflowId: `invoice/${state.id}`, args: [input] });
      ids[i] = state.id;
    });
    // Parked once each has run its first task (its "new invoice" email is at the provider).
    while (created() - baseline < INVOICES && Date.now() - startedAt < 20 * 60_000) await sleep(500);
    if (created() - baseline < INVOICES) throw new Error(`B4: only ${created() - baseline} of ${INVOICES} invoices parked in 20 min`);
    await sleep(2_000);
    const after = rssMb(workerPid);
    ctx.log(`B4: ${INVOICES} invoices parked in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; worker RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`);

    const edit = async (id: string) => {
      const started = performance.now();
      const res = await call('PATCH', `/v1/invoices/${id}`, { body: { lines: [{ sku: SKU, quantity: 2 }] } });
      if (res.status !== 200) throw new Error(`B4 edit: ${res.status} ${JSON.stringify(res.body)}`);
      return performance.now() - started;
    };
    // The newest were handled last and are the likeliest to be cached; the oldest the least.
    const cached: number[] = [];
    for (const id of ids.slice(-EDITS)) cached.push(await edit(id));
    // The worker's own counters say whether the oldest were really out of its cache: each edit to
    // one of them must be a sticky-cache miss (its history fetched and replayed).
    const missesBefore = sumOf(await ctx.workerMetrics(), 'temporal_sticky_cache_miss');
    const evicted: number[] = [];
    for (const id of ids.slice(0, EDITS)) evicted.push(await edit(id));
    const metrics = await ctx.workerMetrics();
    const misses = sumOf(metrics, 'temporal_sticky_cache_miss') - missesBefore;
    const forcedEvictions = sumOf(metrics, 'temporal_sticky_cache_total_forced_eviction');

    // What the worker still holds is the cached invoices; the evicted ones' memory may not be given
    // back to the system, so this is an upper bound per cached invoice.
    const cachedCount = Math.min(INVOICES, WORKER_CACHE);
    const perInvoiceMb = (after - before) / cachedCount;
    const ratio = percentile(evicted, 99) / percentile(cached, 99);
    return [
      {
        id: 'B4',
        scenario: `worker RSS per cached invoice, ${INVOICES.toLocaleString('en')} parked, cache ${WORKER_CACHE.toLocaleString('en')}`,
        unit: 'MB',
        figure: summarize([perInvoiceMb]),
        floor: summarize([before]),
        ratio: perInvoiceMb,
        ratioMeaning: 'MB each (floor = worker RSS with none)',
        goal: '≤ 1.5 MB per invoice',
        met: perInvoiceMb <= 1.5,
        counts: {
          'worker RSS before (MB)': before.toFixed(0),
          'worker RSS parked (MB)': after.toFixed(0),
          'per parked invoice (MB)': ((after - before) / INVOICES).toFixed(3),
        },
      },
      {
        id: 'B4',
        scenario: 'edit p99: oldest invoices (evicted) vs newest (cached)',
        unit: 'ms',
        figure: summarize([percentile(evicted, 99)]),
        floor: summarize([percentile(cached, 99)]),
        ratio,
        ratioMeaning: '× cached',
        goal: '≤ 3× cached',
        // Only a measurement of evicted invoices counts: every edit of the oldest a cache miss.
        met: ratio <= 3 && misses >= EDITS,
        counts: {
          'edit p50 evicted (ms)': percentile(evicted, 50).toFixed(1),
          'edit p50 cached (ms)': percentile(cached, 50).toFixed(1),
          'cache misses during the oldest edits': `${misses} (of ${EDITS} edits)`,
          'forced evictions': forcedEvictions,
        },
      },
    ];
  },
};

const sumOf = (text: string, name: string) => samplesOf(text, name).reduce((total, sample) => total + sample.value, 0);
