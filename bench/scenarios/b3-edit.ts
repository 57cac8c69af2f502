// B3: an invoice edit's round trip, one after another: PATCH with If-Match until the read model
// shows the new version. The floor is a no-op update to an open workflow on the same server.
import { setTimeout as sleep } from 'node:timers/promises';
import { addCompanies } from '../../test/faults/support/scenario.js';
import type { BenchContext, Scenario, ScenarioResult } from '../lib/context.js';
import { noopUpdateLatencies } from '../lib/floor.js';
import { placeOrder } from '../lib/orders.js';
import { overRounds, percentile } from '../lib/stats.js';

const EDITS_PER_ROUND = 100;

export const b3: Scenario = {
  id: 'B3',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const [company] = await addCompanies(ctx.db, 'B3', 1);
    const call = await ctx.as({ sub: 'bench-b3', role: 'customer', customerId: company!.id });
    const { invoiceId } = await placeOrder(ctx, call, { [company!.sku.B]: 2 });
    let version = ((await call('GET', `/v1/invoices/${invoiceId}`)).body as { version: number }).version;

    const figures = await overRounds(ctx.rounds, async () => {
      const samples: number[] = [];
      for (let i = 0; i < EDITS_PER_ROUND; i++) {
        const started = performance.now();
        const edited = await call('PATCH', `/v1/invoices/${invoiceId}`, {
          body: { lines: [{ sku: company!.sku.B, quantity: 2 + (i % 2) }] },
          headers: { 'If-Match': `"${version}"` },
        });
        if (edited.status !== 200) throw new Error(`edit: ${edited.status} ${JSON.stringify(edited.body)}`);
        version = (edited.body as { version: number }).version;
        // The read model must show the edit; in the common case it already does.
        while (((await call('GET', `/v1/invoices/${invoiceId}`)).body as { version: number }).version < version) await sleep(2);
        samples.push(performance.now() - started);
      }
      const floor = await noopUpdateLatencies(ctx, EDITS_PER_ROUND);
      return { p50: percentile(samples, 50), p99: percentile(samples, 99), floorP50: percentile(floor, 50), floorP99: percentile(floor, 99) };
    });
    const row = (what: 'p50' | 'p99', floor: 'floorP50' | 'floorP99', goal: string, met: boolean): ScenarioResult => ({
      id: 'B3',
      scenario: `invoice edit round trip ${what}`,
      unit: 'ms',
      figure: figures[what],
      floor: figures[floor],
      ratio: figures[what].median / figures[floor].median,
      ratioMeaning: '× floor',
      goal,
      met,
    });
    const history = await ctx.temporal.workflow.getHandle(`invoice/${invoiceId}`).fetchHistory();
    const events = history.events ?? [];
    const edits = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    const result = [row('p50', 'floorP50', 'context', true), row('p99', 'floorP99', '≤ floor p99 + 5 ms', figures.p99.median <= figures.floorP99.median + 5)];
    result[1]!.counts = {
      'activities per edit': edits ? (events.filter((e) => e.activityTaskScheduledEventAttributes).length / edits).toFixed(1) : 'n/a',
      'workflow tasks per edit': edits ? (events.filter((e) => e.workflowTaskCompletedEventAttributes).length / edits).toFixed(1) : 'n/a',
    };
    return result;
  },
};
