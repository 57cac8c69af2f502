import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, InvoiceState } from './invoice.js';
import type { InvoiceCommand } from './invoice-messages.js';
import type { WorkflowSettings } from './settings.js';

export interface MergeWorkflowInput {
  /** Also the new invoice's id: merge/<mergeId> makes invoice/<mergeId>. */
  mergeId: string;
  customerId: string;
  sourceIds: string[];
  actor: Actor;
  settings: WorkflowSettings;
}

export type MergePhase = 'merging' | 'merged' | 'failed' | 'unmerging' | 'unmerged' | 'cleaning' | 'cleaned';

export interface MergeView {
  phase: MergePhase;
  sourceIds: string[];
  failure: { code: string; message: string } | null;
}

/**
 * One step of the merge saga as seen by an invoice, sent by the merge workflow (through an
 * activity) as the `mergeStep` update:
 * - lock: a source checks it may be merged and stops taking other commands;
 * - release: the merge failed, the source carries on;
 * - mark: the source's stock moved to the new invoice → marked_for_deletion;
 * - restore: the merge was undone → the source's previous status;
 * - cleanup: the cleanup delay passed → deleted (it holds no stock any more);
 * - lockForUnmerge / discard: the new invoice checks it is still a draft, then goes away.
 */
export type MergeStep = 'lock' | 'release' | 'mark' | 'restore' | 'cleanup' | 'lockForUnmerge' | 'discard';

export interface MergeStepCommand {
  mergeId: string;
  step: MergeStep;
  customerId: string;
  actor: Actor;
  expectedVersion?: number;
}

export const mergeStepUpdate = defineUpdate<InvoiceState, [MergeStepCommand]>('mergeStep');

/** Waits until the merge has either produced the new invoice (returned) or failed (thrown). */
export const mergeOutcomeUpdate = defineUpdate<InvoiceState>('mergeOutcome');
/** Undoes the merge while the new invoice is a draft and the sources are not yet deleted. */
export const unmergeUpdate = defineUpdate<{ restoredInvoiceIds: string[] }, [InvoiceCommand]>('unmerge');
export const getMergeQuery = defineQuery<MergeView>('getMerge');
