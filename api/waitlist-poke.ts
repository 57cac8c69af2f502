import type { Client } from '@temporalio/client';
import { waitlistWorkflowId } from '../core/contracts/ids.js';
import { waitlistPokeSignal } from '../core/contracts/waitlist.js';
import type { waitlistWorkflow } from '../workflows/waitlist.workflow.js';
import type { ApiDeps } from './router.js';

// Pokes to a SKU's waitlist workflow, shared by the API's routes and the workers' waker (which
// imports this small module, not the routes).

/** Tells the SKU's line to look again, starting it if nobody waited before. */
export async function pokeWaitlist(temporal: Client, taskQueue: string, sku: string, holdMs: number): Promise<void> {
  await temporal.workflow.signalWithStart<typeof waitlistWorkflow>('waitlistWorkflow', {
    workflowId: waitlistWorkflowId(sku),
    taskQueue,
    args: [{ sku, holdMs }],
    signal: waitlistPokeSignal,
    staticSummary: `Лист ожидания ${sku}`,
  });
}

/**
 * A poke after a committed change, best effort: the place in line is in PostgreSQL already, and
 * the workers' waker pokes every line where someone waits while stock is free, so a Temporal
 * outage here delays an offer by a second instead of failing a request that did its work.
 */
export function pokeAfterCommit(deps: Pick<ApiDeps, 'temporal' | 'config' | 'logger'>, sku: string): Promise<void> {
  return pokeWaitlist(deps.temporal, deps.config.temporal.taskQueue, sku, deps.config.waitlist.holdMs).catch((err: unknown) => {
    deps.logger.warn({ err, sku }, 'waitlist not poked; the waker will');
  });
}
