import { setHandler } from '@temporalio/workflow';
import type { InvoiceState } from '../../core/contracts/invoice.js';
import { SYSTEM_ACTOR } from '../../core/contracts/invoice.js';
import { mergeStepUpdate, type MergeStepCommand } from '../../core/contracts/merge.js';
import { mergeStepRefusal } from '../../core/domain/invoice-commands.js';
import { isFinal } from '../../core/domain/invoice.js';
import { refuse, type InvoiceContext } from './context.js';

/** The merge saga's steps, sent by merge/<id> (see MergeStep in core/contracts/merge.ts). */
export function registerMergeSteps(run: InvoiceContext): void {
  const allowed = (cmd: MergeStepCommand) => {
    refuse(mergeStepRefusal(run.state, cmd));
  };
  setHandler(
    mergeStepUpdate,
    (cmd) =>
      run.exclusive(() => {
        allowed(cmd); // again: an earlier command may have changed the state since the validator ran
        return mergeStep(run, cmd);
      }),
    { validator: allowed },
  );
}

/** Applies one step; every step is idempotent, since the saga retries them. */
async function mergeStep(run: InvoiceContext, cmd: MergeStepCommand): Promise<InvoiceState> {
  const from = run.state.status;
  switch (cmd.step) {
    case 'lock':
    case 'lockForUnmerge':
      run.state = { ...run.state, lockedBy: cmd.mergeId };
      break;
    case 'release':
      if (run.state.lockedBy === cmd.mergeId) run.state = { ...run.state, lockedBy: null };
      break;
    case 'mark':
      if (run.state.status === 'marked_for_deletion') break;
      await run.commit(
        { ...run.state, status: 'marked_for_deletion', mergedInto: cmd.mergeId, statusBeforeMerge: run.state.status, lockedBy: null },
        cmd.actor,
        'merged',
        { mergedInto: cmd.mergeId },
      );
      run.notify(from);
      break;
    case 'restore':
      if (run.state.status !== 'marked_for_deletion') break;
      await run.commit(
        { ...run.state, status: run.state.statusBeforeMerge ?? 'draft', mergedInto: null, statusBeforeMerge: null, lockedBy: null },
        cmd.actor,
        'unmerged',
        { mergeId: cmd.mergeId },
      );
      break;
    case 'cleanup':
      if (isFinal(run.state.status)) break;
      // Its stock went to the new invoice: nothing to release.
      await run.commit({ ...run.state, status: 'deleted', expiresAt: null }, SYSTEM_ACTOR, 'merge_cleanup', { mergedInto: cmd.mergeId });
      break;
    case 'discard':
      if (isFinal(run.state.status)) break;
      // Its stock went back to the sources: nothing to release.
      await run.commit({ ...run.state, status: 'deleted', expiresAt: null, lockedBy: null }, cmd.actor, 'unmerge', { restored: run.state.mergedFrom ?? [] });
      break;
  }
  return run.state;
}
