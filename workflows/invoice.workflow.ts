import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { EmailRequest } from '../core/contracts/email.js';
import type { Actor, InvoiceEvent, InvoiceState, InvoiceWorkflowInput } from '../core/contracts/invoice.js';
import { getInvoiceQuery, SYSTEM_ACTOR } from '../core/contracts/invoice.js';
import {
  addItemsUpdate,
  adjustInvoiceUpdate,
  cancelInvoiceUpdate,
  editInvoiceUpdate,
  reservationsCutSignal,
  shipInvoiceUpdate,
  submitInvoiceUpdate,
  warehouseStepUpdate,
  type EditLines,
  type InvoiceCommand,
  type ManagerAdjustment,
  type WarehouseStep,
} from '../core/contracts/invoice-messages.js';
import { mergeStepUpdate, type MergeStepCommand } from '../core/contracts/merge.js';
import { InvoiceStatusAttribute } from '../core/contracts/search-attributes.js';
import {
  cutPriority,
  isFinal,
  refusal,
  waitsOnCustomer,
  warehouseRefusal,
  isLocked,
  type InvoiceAction,
  type InvoiceLine,
  type InvoiceStatus,
} from '../core/domain/invoice.js';
import { applyEdit, applyHeld, keepManualPrices, requestedAfterAdding, type QuantityChange } from '../core/domain/lines.js';
import { packByPiecesPerBox, validateBoxes } from '../core/domain/packing.js';
import { moscowYear } from '../core/domain/time.js';
import { db, email } from './activities.js';

/** How many recent request ids an invoice remembers (carried across continue-as-new). */
const REMEMBERED_REQUESTS = 500;

const fail = (code: string, message: string) => ApplicationFailure.nonRetryable(message, code);

/**
 * invoice/<invoiceId>: the invoice as a long-running entity. Commands arrive as updates whose
 * validators refuse invalid ones before they enter history; accepted commands run one at a time;
 * a resettable timer expires the invoice when it waits on the customer too long.
 */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const { settings } = input;
  let state = input.state;
  const processed = new Map<string, number>(input.processedRequests ?? []);
  let remindedFor = input.remindedFor ?? null;
  let busy = false;

  setHandler(getInvoiceQuery, () => state);

  // ---- helpers ---------------------------------------------------------------------------

  /** Commands run one at a time: the state a handler validated is the state it changes. */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // Re-check after waking: several waiters can be released by the same change.
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  function checkVersion(cmd: InvoiceCommand): void {
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== state.version) {
      throw fail('version_conflict', `Счёт изменился (версия ${state.version}, а не ${cmd.expectedVersion}): обновите его и повторите действие`);
    }
  }

  function checkNotMerging(): void {
    if (state.lockedBy) throw fail('invalid_transition', 'Счёт сейчас объединяется с другими счетами: повторите действие через несколько секунд');
  }

  function checkCustomerAction(cmd: InvoiceCommand, action: InvoiceAction): void {
    if (processed.has(cmd.requestId)) return;
    checkVersion(cmd);
    checkNotMerging();
    const refused = refusal(state.status, action);
    if (refused) throw fail(refused.code, refused.reason);
  }

  function checkAdjustment(cmd: ManagerAdjustment): void {
    if (processed.has(cmd.requestId)) return;
    checkVersion(cmd);
    checkNotMerging();
    if (isLocked(state.status)) throw fail('invoice_locked', 'Счёт отправлен на отгрузку: менять его нельзя');
    if (!waitsOnCustomer(state.status)) throw fail('invalid_transition', 'Менять можно только счёт, ожидающий клиента');
    const unknown = cmd.lines.filter((l) => !state.lines.some((s) => s.sku === l.sku)).map((l) => l.sku);
    if (unknown.length) throw fail('validation_failed', `В счёте нет позиций ${unknown.join(', ')}`);
  }

  function checkWarehouseStep(cmd: WarehouseStep): void {
    if (processed.has(cmd.requestId)) return;
    checkVersion(cmd);
    checkNotMerging();
    const refused = warehouseRefusal(state.status, cmd.status);
    if (refused) throw fail('invalid_transition', refused);
    if (cmd.boxes && cmd.status !== 'assembled') throw fail('validation_failed', 'Короба передаются только со статусом «Собран»');
    if (cmd.boxes) {
      const result = validateBoxes(state.lines, cmd.boxes);
      if (!result.ok) throw fail('validation_failed', result.reason);
    }
  }

  /** Applies a new state: bumps the version, records the event, updates the read model and search attributes. */
  async function commit(next: Omit<InvoiceState, 'version'>, actor: Actor, action: string, details: Record<string, unknown> = {}): Promise<void> {
    const event: InvoiceEvent = { at: new Date().toISOString(), actor, action, fromStatus: state.status, toStatus: next.status, details };
    // Kept current when the starter indexed the invoice (always, except on the time-skipping test
    // server, which knows no custom search attributes).
    if (next.status !== state.status && workflowInfo().typedSearchAttributes.get(InvoiceStatusAttribute) !== undefined) {
      upsertSearchAttributes([{ key: InvoiceStatusAttribute, value: next.status }]);
    }
    state = { ...next, version: state.version + 1 };
    await db.projectInvoice.executeWithOptions({ summary: `${action}: → ${state.status} (v${state.version})` }, [{ state, event }]);
  }

  /** Runs a command once per request id; a repeat answers with the current state. */
  function command(cmd: InvoiceCommand, validate: () => void, fn: () => Promise<void>): Promise<InvoiceState> {
    return exclusive(async () => {
      if (processed.has(cmd.requestId)) return state;
      validate(); // again: an earlier command may have changed the state since the validator ran
      await fn();
      processed.set(cmd.requestId, state.version);
      if (processed.size > REMEMBERED_REQUESTS) processed.delete(processed.keys().next().value as string);
      return state;
    });
  }

  /** Status emails go out once per version (their key), and never hold the invoice up. */
  function notify(
    previousStatus: InvoiceStatus,
    extra: Partial<Pick<Extract<EmailRequest, { kind: 'invoice_status' }>, 'reason' | 'realizationNumber'>> = {},
  ): void {
    const request: EmailRequest = {
      key: `invoice/${state.id}/v${state.version}/${state.status}`,
      kind: 'invoice_status',
      customerId: state.customerId,
      invoice: state,
      previousStatus,
      ...extra,
    };
    sendInBackground(request, `email: invoice ${state.status}`);
  }

  /** Emails in flight; the workflow waits for them before it ends or continues as new, so none is dropped. */
  const sending = new Set<Promise<void>>();
  function sendInBackground(request: EmailRequest, summary: string): void {
    const sent: Promise<void> = email.sendEmail
      .executeWithOptions({ summary }, [request])
      .catch((err: unknown) => log.warn('email not sent', { key: request.key, err }))
      .finally(() => sending.delete(sent));
    sending.add(sent);
  }
  const settled = () => !busy && sending.size === 0 && allHandlersFinished();

  /** Sets reservations to `targets` and returns the checked lines (manual prices kept). */
  async function reserve(targets: QuantityChange[], summary: string): Promise<InvoiceLine[]> {
    const checked = await db.reserveInvoiceLines.executeWithOptions({ summary }, [{ invoiceId: state.id, lines: targets }]);
    return keepManualPrices(state.lines, checked);
  }

  function confirmedNow(): Pick<InvoiceState, 'confirmedAt' | 'expiresAt'> {
    const now = Date.now();
    return { confirmedAt: new Date(now).toISOString(), expiresAt: new Date(now + settings.invoiceTtlMs).toISOString() };
  }

  async function remove(actor: Actor, action: string): Promise<void> {
    await db.releaseInvoiceReservations.executeWithOptions({ summary: 'release reservations' }, [{ invoiceId: state.id }]);
    await commit({ ...state, status: 'deleted', expiresAt: null }, actor, action);
  }

  // ---- customer commands -----------------------------------------------------------------

  setHandler(
    editInvoiceUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkCustomerAction(cmd, 'edit'),
        async () => {
          const edited = applyEdit(state.lines, cmd.lines);
          if (!edited.ok) throw fail('validation_failed', edited.reason);
          // Lowered lines free their stock at once; raised ones wait for the re-check.
          await reserve(
            edited.lines.map((l) => ({ sku: l.sku, quantity: l.approved })),
            'shrink reservations to the edit',
          );
          await commit({ ...state, status: 'draft', lines: edited.lines }, cmd.actor, 'edit', { lines: cmd.lines });
        },
      ),
    {
      validator: (cmd: EditLines) => {
        checkCustomerAction(cmd, 'edit');
        const edited = applyEdit(state.lines, cmd.lines);
        if (!edited.ok) throw fail('validation_failed', edited.reason);
      },
    },
  );

  setHandler(
    submitInvoiceUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkCustomerAction(cmd, 'submit'),
        async () => {
          const from = state.status;
          const lines = await reserve(
            state.lines.map((l) => ({ sku: l.sku, quantity: l.requested })),
            `re-check ${state.lines.length} lines`,
          );
          await commit({ ...state, status: 'confirmed', lines, ...confirmedNow() }, cmd.actor, from === 'changed' ? 'accept_changes' : 'submit');
          notify(from);
        },
      ),
    { validator: (cmd: InvoiceCommand) => checkCustomerAction(cmd, 'submit') },
  );

  setHandler(
    addItemsUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkCustomerAction(cmd, 'addItems'),
        async () => {
          const from = state.status;
          const lines = await reserve(requestedAfterAdding(state.lines, cmd.lines), `check ${cmd.lines.length} added lines`);
          await commit({ ...state, status: 'confirmed', lines, ...confirmedNow() }, cmd.actor, 'add_items', { added: cmd.lines });
          notify(from);
        },
      ),
    { validator: (cmd: InvoiceCommand) => checkCustomerAction(cmd, 'addItems') },
  );

  setHandler(
    shipInvoiceUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkCustomerAction(cmd, 'ship'),
        async () => {
          if (!state.lines.some((l) => l.approved > 0)) throw fail('invalid_transition', 'В счёте нет подтверждённых позиций: отгружать нечего');
          await commit({ ...state, status: 'shipment_confirmed', expiresAt: null }, cmd.actor, 'ship');
          notify('confirmed');
        },
      ),
    { validator: (cmd: InvoiceCommand) => checkCustomerAction(cmd, 'ship') },
  );

  setHandler(
    cancelInvoiceUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkCustomerAction(cmd, 'cancel'),
        async () => {
          const from = state.status;
          await remove(cmd.actor, 'cancel');
          notify(from);
        },
      ),
    { validator: (cmd: InvoiceCommand) => checkCustomerAction(cmd, 'cancel') },
  );

  // ---- staff commands and stock ----------------------------------------------------------

  setHandler(
    adjustInvoiceUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkAdjustment(cmd),
        async () => {
          const from = state.status;
          const changes = new Map(cmd.lines.map((l) => [l.sku, l]));
          const targets = state.lines.map((l) => ({ sku: l.sku, quantity: changes.get(l.sku)?.quantity ?? l.approved }));
          const checked = await reserve(targets, 'reserve manager quantities');
          const lines = checked.map((line, i) => {
            const change = changes.get(line.sku);
            const before = state.lines[i];
            const requested = change?.quantity ?? before?.requested ?? line.requested;
            const price = change?.priceKopecks;
            return { ...line, requested, ...(price !== undefined ? { priceKopecks: price, manualPrice: true } : {}) };
          });
          await commit({ ...state, status: 'changed', lines }, cmd.actor, 'manager_adjust', { comment: cmd.comment, lines: cmd.lines });
          notify(from, { reason: cmd.comment });
        },
      ),
    { validator: (cmd: ManagerAdjustment) => checkAdjustment(cmd) },
  );

  setHandler(
    warehouseStepUpdate,
    (cmd) =>
      command(
        cmd,
        () => checkWarehouseStep(cmd),
        async () => {
          const from = state.status;
          if (cmd.status === 'to_warehouse') {
            // Picked goods are set aside: from here on no stock cut may take them.
            if (patched('pin-before-picking')) {
              await db.pinInvoiceReservations.executeWithOptions({ summary: 'pin reservations for picking' }, [
                { invoiceId: state.id, lines: state.lines.map((l) => ({ sku: l.sku, approved: l.approved })) },
              ]);
            }
            await commit({ ...state, status: 'to_warehouse' }, cmd.actor, 'to_warehouse');
          } else if (cmd.status === 'assembled') {
            const boxes = cmd.boxes ?? packByPiecesPerBox(state.lines);
            await commit({ ...state, status: 'assembled', boxes }, cmd.actor, 'assembled', {
              boxes: boxes.length,
              packedBy: cmd.boxes ? 'warehouse' : 'pieces_per_box',
            });
          } else {
            const realizationId = uuid4();
            const now = Date.now();
            const number = await db.allocateNumber.executeWithOptions({ summary: 'allocate realization number' }, [
              { kind: 'realization', entityId: realizationId, year: moscowYear(now) },
            ]);
            await db.commitShipment.executeWithOptions({ summary: `ship: realization ${number}` }, [
              {
                invoiceId: state.id,
                customerId: state.customerId,
                realizationId,
                realizationNumber: number,
                shippedAt: new Date(now).toISOString(),
                lines: state.lines,
                boxes: state.boxes ?? packByPiecesPerBox(state.lines),
              },
            ]);
            await commit({ ...state, status: 'shipped', realization: { id: realizationId, number } }, cmd.actor, 'shipped', { realization: number });
          }
          notify(from, state.realization ? { realizationNumber: state.realization.number } : {});
        },
      ),
    { validator: (cmd: WarehouseStep) => checkWarehouseStep(cmd) },
  );

  setHandler(reservationsCutSignal, async ({ correctionId, sku }) => {
    // While a merge moves this invoice's stock, its reservations say nothing about its lines.
    await condition(() => !state.lockedBy);
    await exclusive(async () => {
      // Only invoices whose stock may be cut hear of a cut: picked goods are pinned (never cut),
      // and a merged source's stock went to the new invoice, which re-reads its own.
      if (processed.has(correctionId) || cutPriority(state.status) === undefined) return;
      const held = await db.getInvoiceReservations.executeWithOptions({ summary: `re-read reservations after a cut of ${sku}` }, [{ invoiceId: state.id }]);
      const { lines, cut } = applyHeld(state.lines, new Map(Object.entries(held)));
      processed.set(correctionId, state.version);
      if (cut.length === 0) return;
      const from = state.status;
      const reason = cut.map((c) => `${c.sku}: подтверждено ${c.to} шт. вместо ${c.from} (остаток на складе уменьшился)`).join('; ');
      // A locked invoice that lost stock goes back to the customer, whose clock starts again.
      const clock = waitsOnCustomer(from) ? {} : { expiresAt: new Date(Date.now() + settings.invoiceTtlMs).toISOString() };
      await commit({ ...state, status: 'changed', lines, ...clock }, SYSTEM_ACTOR, 'stock_cut', { correctionId, cut });
      notify(from, { reason });
    });
  });

  // ---- merge saga steps (sent by merge/<id>) --------------------------------------------

  function checkMergeStep(cmd: MergeStepCommand): void {
    // Another company's merge must not learn this invoice exists.
    if (cmd.customerId !== state.customerId) throw fail('not_found', 'Счёт не найден');
    const mine = state.lockedBy === cmd.mergeId;
    switch (cmd.step) {
      case 'lock':
      case 'lockForUnmerge': {
        if (mine) return; // a retried step
        checkVersion({ ...cmd, requestId: '' });
        if (state.lockedBy) throw fail('invalid_transition', `Счёт ${state.number} уже объединяется с другими счетами`);
        if (cmd.step === 'lock') {
          const refused = refusal(state.status, 'merge');
          if (refused) throw fail(refused.code, `Счёт ${state.number}: ${refused.reason}`);
        } else if (state.status !== 'draft' || state.version !== 1) {
          throw fail('invalid_transition', 'Объединение можно отменить, только пока новый счёт не изменялся и не отправлялся на подтверждение');
        }
        return;
      }
      case 'release':
        return;
      case 'mark':
      case 'discard':
        // The new invoice (its id is the merge id) is discarded by its own merge, locked or not:
        // a failed merge's compensation must be accepted.
        const ownNew = cmd.step === 'discard' && state.id === cmd.mergeId;
        if (!mine && !ownNew && !(cmd.step === 'mark' && state.mergedInto === cmd.mergeId) && !(cmd.step === 'discard' && isFinal(state.status))) {
          throw fail('invalid_transition', `Счёт ${state.number} не заблокирован этим объединением`);
        }
        return;
      case 'restore':
      case 'cleanup':
        if (state.mergedInto !== cmd.mergeId && state.lockedBy !== cmd.mergeId && !(cmd.step === 'cleanup' && isFinal(state.status))) {
          throw fail('invalid_transition', `Счёт ${state.number} не был объединён этим объединением`);
        }
        return;
    }
  }

  async function mergeStep(cmd: MergeStepCommand): Promise<InvoiceState> {
    const from = state.status;
    switch (cmd.step) {
      case 'lock':
      case 'lockForUnmerge':
        state = { ...state, lockedBy: cmd.mergeId };
        break;
      case 'release':
        if (state.lockedBy === cmd.mergeId) state = { ...state, lockedBy: null };
        break;
      case 'mark':
        if (state.status === 'marked_for_deletion') break;
        await commit(
          { ...state, status: 'marked_for_deletion', mergedInto: cmd.mergeId, statusBeforeMerge: state.status, lockedBy: null },
          cmd.actor,
          'merged',
          {
            mergedInto: cmd.mergeId,
          },
        );
        notify(from);
        break;
      case 'restore':
        if (state.status !== 'marked_for_deletion') break;
        await commit(
          { ...state, status: state.statusBeforeMerge ?? 'draft', mergedInto: null, statusBeforeMerge: null, lockedBy: null },
          cmd.actor,
          'unmerged',
          {
            mergeId: cmd.mergeId,
          },
        );
        break;
      case 'cleanup':
        if (isFinal(state.status)) break;
        // Its stock went to the new invoice: nothing to release.
        await commit({ ...state, status: 'deleted', expiresAt: null }, SYSTEM_ACTOR, 'merge_cleanup', { mergedInto: cmd.mergeId });
        break;
      case 'discard':
        if (isFinal(state.status)) break;
        // Its stock went back to the sources: nothing to release.
        await commit({ ...state, status: 'deleted', expiresAt: null, lockedBy: null }, cmd.actor, 'unmerge', { restored: state.mergedFrom ?? [] });
        break;
    }
    return state;
  }

  setHandler(mergeStepUpdate, (cmd) => exclusive(() => (checkMergeStep(cmd), mergeStep(cmd))), { validator: checkMergeStep });

  // ---- life ------------------------------------------------------------------------------

  // The starter has already written the read model; the new invoice is announced here, once.
  if (!input.continued) {
    if (input.announced === 'merged') notify(state.status);
    else sendInBackground({ key: `invoice/${state.id}/created`, kind: 'invoice_created', customerId: state.customerId, invoice: state }, 'email: new invoice');
  }

  while (!isFinal(state.status)) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(settled);
      return continueAsNew<typeof invoiceWorkflow>({ state, settings, continued: true, processedRequests: [...processed], remindedFor });
    }
    const seen = state.version;
    const changed = () => state.version !== seen || workflowInfo().continueAsNewSuggested;
    if (state.lockedBy) {
      // A merge holds the invoice: it ends in a new status or in a release; expiry waits for that.
      await condition(() => !state.lockedBy || changed());
      continue;
    }
    if (!waitsOnCustomer(state.status) || !state.expiresAt) {
      await condition(changed);
      continue;
    }
    // Resettable timers: one condition with a timeout per loop turn, re-armed when the state moves.
    const expiresAt = Date.parse(state.expiresAt);
    const remindAt = expiresAt - settings.reminderBeforeMs;
    const reminderDue = remindedFor !== state.expiresAt && remindAt > Date.now();
    const deadline = reminderDue ? remindAt : expiresAt;
    if (await condition(changed, Math.max(deadline - Date.now(), 1))) continue;
    if (reminderDue) {
      remindedFor = state.expiresAt;
      sendInBackground(
        { key: `invoice/${state.id}/reminder/${state.expiresAt}`, kind: 'invoice_expiring', customerId: state.customerId, invoice: state },
        'email: expiry reminder',
      );
      continue;
    }
    await exclusive(async () => {
      // A command that ran while we waited for the lock may have confirmed or locked the invoice.
      if (state.version !== seen || state.lockedBy) return;
      await remove(SYSTEM_ACTOR, 'expire');
      sendInBackground({ key: `invoice/${state.id}/expired`, kind: 'invoice_expired', customerId: state.customerId, invoice: state }, 'email: invoice expired');
    });
  }
  await condition(settled);
  return state;
}
