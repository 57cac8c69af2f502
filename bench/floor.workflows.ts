// The floor the bench measures the system against: workflows that do nothing, on the same Temporal
// server, so a figure can be read as "how far above what Temporal itself costs here".
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const noopUpdate = defineUpdate<number, [number]>('benchNoop');
export const finishSignal = defineSignal('benchFinish');

/** Starts and completes at once: one workflow task. */
export async function benchNoopWorkflow(): Promise<number> {
  return 1;
}

/** Stays open and answers a no-op update from memory, like an invoice waiting for its customer. */
export async function benchParkedWorkflow(): Promise<void> {
  let done = false;
  setHandler(noopUpdate, (n) => n);
  setHandler(finishSignal, () => {
    done = true;
  });
  await condition(() => done);
}
