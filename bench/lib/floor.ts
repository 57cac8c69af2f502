// Temporal's own cost on this server, measured in the same run as the figures it is a floor for.
import { randomUUID } from 'node:crypto';
import { benchNoopWorkflow, benchParkedWorkflow, finishSignal, noopUpdate } from '../floor.workflows.js';
import { FLOOR_QUEUE, type BenchContext } from './context.js';
import { lanes } from './stats.js';

/** No-op workflows started and awaited to their result, `concurrency` at a time: workflows per second. */
export async function noopWorkflowsPerSecond(ctx: BenchContext, concurrency: number, count: number): Promise<number> {
  const ms = await lanes(concurrency, count, async () => {
    await ctx.temporal.workflow.execute(benchNoopWorkflow, { taskQueue: FLOOR_QUEUE, workflowId: `bench-noop/${randomUUID()}` });
  });
  return count / (ms / 1000);
}

/** Round trips of a no-op update to one open workflow, one after another: each latency in ms. */
export async function noopUpdateLatencies(ctx: BenchContext, count: number): Promise<number[]> {
  const handle = await ctx.temporal.workflow.start(benchParkedWorkflow, { taskQueue: FLOOR_QUEUE, workflowId: `bench-parked/${randomUUID()}` });
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await handle.executeUpdate(noopUpdate, { args: [i] });
      samples.push(performance.now() - started);
    }
  } finally {
    await handle.signal(finishSignal);
  }
  return samples;
}
