import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { reservationsCutSignal } from '../core/contracts/invoice-messages.js';
import { invoiceWorkflowId } from '../core/contracts/ids.js';
import type { InvoiceState } from '../core/contracts/invoice.js';
import { getMergeQuery, mergeOutcomeUpdate, unmergeUpdate, type MergePhase, type MergeStep, type MergeWorkflowInput } from '../core/contracts/merge.js';
import { CustomerIdAttribute, InvoiceNumberAttribute, InvoiceStatusAttribute } from '../core/contracts/search-attributes.js';
import { isFailureCode } from '../core/domain/failures.js';
import { mergeDetails } from '../core/domain/invoice-details.js';
import { applyHeld, mergeLines } from '../core/domain/lines.js';
import { moscowYear } from '../core/domain/time.js';
import { db, merges } from './activities.js';
import { invoiceWorkflow } from './invoice.workflow.js';

/**
 * merge/<newInvoiceId>: the "Объединить счета" saga. Locks every source, creates the new draft
 * invoice, moves the reservations to it in one transaction and marks the sources; any failure
 * undoes what was done, so either all sources are merged or none is. Then it keeps the cleanup
 * window open: the customer may undo the merge, or the sources are deleted when it ends.
 */
/** Why an undo is refused, by the merge's phase: a second undo (a stale tab) is told it is done, not that the sources are gone. */
const UNMERGE_REFUSED: Record<Exclude<MergePhase, 'merged'>, string> = {
  merging: 'Объединение ещё выполняется: отменить его можно, когда новый счёт будет создан',
  failed: 'Объединение не состоялось: отменять нечего',
  unmerging: 'Объединение уже отменяется',
  unmerged: 'Объединение уже отменено: исходные счета восстановлены',
  cleaning: 'Отменить объединение уже нельзя: исходные счета удалены',
  cleaned: 'Отменить объединение уже нельзя: исходные счета удалены',
};

export async function mergeWorkflow(input: MergeWorkflowInput): Promise<MergePhase> {
  const { mergeId, customerId, sourceIds, actor, settings } = input;
  const indexed = workflowInfo().typedSearchAttributes.get(CustomerIdAttribute) !== undefined;
  let phase: MergePhase = 'merging';
  let failure: { code: string; message: string } | null = null;
  let created: InvoiceState | null = null;
  let closesAt: number | null = null;
  // Every phase change goes through here, so the UI's current details always match it.
  const setPhase = (next: MergePhase) => {
    phase = next;
    setCurrentDetails(mergeDetails({ phase, sources: sourceIds, cleanupAt: closesAt, failure: failure?.message ?? null }));
  };
  setPhase('merging');

  setHandler(getMergeQuery, () => ({ phase, sourceIds, failure }));
  setHandler(mergeOutcomeUpdate, async () => {
    await condition(() => phase !== 'merging');
    if (failure) throw ApplicationFailure.nonRetryable(failure.message, failure.code);
    if (!created) throw ApplicationFailure.nonRetryable('Объединение не создало счёт', 'internal');
    return created;
  });

  const step = (invoiceId: string, name: MergeStep, summary: string, expectedVersion?: number) =>
    merges.sendMergeStep.executeWithOptions({ summary }, [
      { invoiceId, mergeId, step: name, customerId, actor, ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
    ]);

  /**
   * Restored sources get back what the new invoice still held, which a stock cut may have lowered
   * meanwhile: each re-reads its reservations as after a cut.
   */
  async function recheckSources(ids: string[]): Promise<void> {
    if (!patched('merge-restore-rechecks-sources')) return;
    await Promise.all(
      ids.map((id) =>
        getExternalWorkflowHandle(invoiceWorkflowId(id))
          .signal(reservationsCutSignal, { correctionId: `merge/${mergeId}/restored`, sku: '*' })
          .catch((signalErr: unknown) => log.warn('restored source not signalled', { invoiceId: id, err: signalErr })),
      ),
    );
  }

  // ---- merge ----------------------------------------------------------------------------
  const locked: string[] = [];
  let moved = false;
  let childStarted = false;
  try {
    const sources: InvoiceState[] = [];
    // One at a time, in the order given: a source another merge holds refuses at once, so two
    // merges sharing an invoice cannot wait on each other.
    for (const id of sourceIds) {
      sources.push(await step(id, 'lock', `lock source ${id}`));
      locked.push(id);
    }
    const now = Date.now();
    const number = await db.allocateNumber.executeWithOptions({ summary: 'allocate invoice number' }, [
      { kind: 'invoice', entityId: mergeId, year: moscowYear(now) },
    ]);
    await merges.moveReservations.executeWithOptions({ summary: `move reservations of ${sources.length} invoices` }, [
      { mergeId, fromInvoiceIds: sourceIds, toInvoiceId: mergeId },
    ]);
    moved = true;
    let lines = mergeLines(sources.map((s) => s.lines));
    if (patched('merge-lines-from-held')) {
      // A stock cut may have taken some of a source's stock while it was locked: the new invoice
      // approves what it really holds.
      const held = await db.getInvoiceReservations.executeWithOptions({ summary: 'read the moved reservations' }, [{ invoiceId: mergeId }]);
      lines = applyHeld(lines, new Map(Object.entries(held))).lines;
    }
    const at = new Date(now).toISOString();
    const state: InvoiceState = {
      id: mergeId,
      number,
      customerId,
      orderId: null,
      status: 'draft',
      lines,
      version: 1,
      createdAt: at,
      confirmedAt: null,
      // The customer has the usual time to send the merged invoice for confirmation.
      expiresAt: new Date(now + settings.invoiceTtlMs).toISOString(),
      mergedInto: null,
      boxes: null,
      realization: null,
      mergedFrom: sourceIds,
    };
    await db.projectInvoice.executeWithOptions({ summary: 'create merged invoice read model' }, [
      { state, event: { at, actor, action: 'merge_create', fromStatus: null, toStatus: 'draft', details: { mergedFrom: sources.map((s) => s.number) } } },
    ]);
    await startChild(invoiceWorkflow, {
      workflowId: invoiceWorkflowId(mergeId),
      args: [{ state, settings, announced: 'merged' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // Indexed like its starter indexed the merge (the time-skipping test server has no custom attributes).
      ...(indexed
        ? {
            typedSearchAttributes: [
              { key: CustomerIdAttribute, value: customerId },
              { key: InvoiceStatusAttribute, value: state.status },
              { key: InvoiceNumberAttribute, value: number },
            ],
          }
        : {}),
      staticSummary: `Счёт ${number}: объединение ${sources.map((s) => s.number).join(', ')}`,
      taskQueue: workflowInfo().taskQueue,
    });
    childStarted = true;
    for (const id of sourceIds) await step(id, 'mark', `mark source ${id} merged`);
    created = state;
    setPhase('merged');
  } catch (err) {
    // Undo in reverse: the new invoice, the stock, the locks. Each step is idempotent and accepted
    // by its target; one that still fails must not keep the others from running, or a source
    // would stay locked for ever.
    const undo = async (what: () => Promise<unknown>) => {
      try {
        await what();
      } catch (undoErr) {
        log.error('merge compensation step failed', { mergeId, err: undoErr });
      }
    };
    if (childStarted) await undo(() => step(mergeId, 'discard', 'discard the new invoice'));
    if (moved) await undo(() => merges.restoreReservations.executeWithOptions({ summary: 'give reservations back' }, [{ mergeId }]));
    for (const id of locked) {
      await undo(() => step(id, 'restore', `restore source ${id}`));
      await undo(() => step(id, 'release', `release source ${id}`));
    }
    if (moved) await recheckSources(locked);
    const cause = err instanceof ApplicationFailure ? err : err instanceof Error && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    failure = {
      code: cause?.type && isFailureCode(cause.type) ? cause.type : 'internal',
      message: cause?.message ?? 'Объединение не удалось',
    };
    setPhase('failed');
    await condition(allHandlersFinished);
    return phase;
  }

  // ---- cleanup window -------------------------------------------------------------------
  setHandler(
    unmergeUpdate,
    async (cmd): Promise<{ restoredInvoiceIds: string[] }> => {
      setPhase('unmerging');
      try {
        await step(mergeId, 'lockForUnmerge', 'check the new invoice is an untouched draft', cmd.expectedVersion);
      } catch (err) {
        setPhase('merged');
        throw err;
      }
      await merges.restoreReservations.executeWithOptions({ summary: 'give reservations back' }, [{ mergeId }]);
      for (const id of sourceIds) await step(id, 'restore', `restore source ${id}`);
      await recheckSources(sourceIds);
      await step(mergeId, 'discard', 'delete the new invoice');
      setPhase('unmerged');
      return { restoredInvoiceIds: sourceIds };
    },
    {
      validator: (_cmd) => {
        if (phase !== 'merged') throw ApplicationFailure.nonRetryable(UNMERGE_REFUSED[phase], 'invalid_transition');
      },
    },
  );

  const cleanupAt = Date.now() + settings.mergeCleanupDelayMs;
  closesAt = cleanupAt;
  setPhase(phase); // the same phase, now shown with the cleanup time
  // Handlers change `phase` while this waits; reading it through a function keeps TypeScript from
  // narrowing it to the value assigned above.
  const current = (): MergePhase => phase;
  for (;;) {
    if (current() === 'merged' && Date.now() < cleanupAt) await condition(() => phase !== 'merged', cleanupAt - Date.now());
    // An undo in flight decides: done → unmerged, refused → merged again and the clock runs on.
    if (current() === 'unmerging') {
      await condition(() => phase !== 'unmerging');
      continue;
    }
    if (current() === 'merged' && Date.now() < cleanupAt) continue;
    break;
  }
  if (current() === 'merged') {
    // Set before the first await, so an undo arriving now is refused instead of racing the cleanup.
    setPhase('cleaning');
    for (const id of sourceIds) await step(id, 'cleanup', `delete source ${id}`);
    setPhase('cleaned');
  }
  await condition(allHandlersFinished);
  return phase;
}
