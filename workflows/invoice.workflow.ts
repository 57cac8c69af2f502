import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import type { Actor, InvoiceEvent, InvoiceState, InvoiceWorkflowInput } from '../src/contracts/invoice.js';
import { getInvoiceQuery, SYSTEM_ACTOR } from '../src/contracts/invoice.js';
import { cancelInvoiceUpdate, type InvoiceCommand } from '../src/contracts/invoice-messages.js';
import { InvoiceStatusAttribute } from '../src/contracts/search-attributes.js';
import { allowedActions, isFinal, isLocked, waitsOnCustomer, type InvoiceAction, type InvoiceStatus } from '../src/domain/invoice.js';
import { db, email } from './activities.js';

/** How many recent request ids an invoice remembers (carried across continue-as-new). */
const REMEMBERED_REQUESTS = 500;

/**
 * invoice/<invoiceId>: the invoice as a long-running entity. Commands arrive as updates, are
 * validated before they enter history, and run one at a time; timers expire it when it waits on
 * the customer too long.
 */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const { settings } = input;
  let state = input.state;
  const processed = new Map<string, number>(input.processedRequests ?? []);
  let remindedFor = input.remindedFor ?? null;
  let busy = false;

  setHandler(getInvoiceQuery, () => state);

  /** Commands run one at a time: the state a handler validated is the state it changes. */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  function assertAllowed(cmd: InvoiceCommand, action: InvoiceAction): void {
    if (processed.has(cmd.requestId)) return;
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== state.version) {
      throw ApplicationFailure.nonRetryable(
        `Счёт изменился: ожидалась версия ${cmd.expectedVersion}, текущая ${state.version}. Обновите счёт и повторите.`,
        'version_conflict',
      );
    }
    if (!allowedActions(state.status).includes(action)) {
      throw isLocked(state.status)
        ? ApplicationFailure.nonRetryable(`Счёт ${state.number} отправлен на отгрузку и больше не изменяется.`, 'invoice_locked')
        : ApplicationFailure.nonRetryable(
            `Действие недоступно: счёт ${state.number} в статусе «${state.status}».`,
            'invalid_transition',
          );
    }
  }

  /** Applies a new state: bumps the version, records the event, updates the read model and search attributes. */
  async function commit(next: Omit<InvoiceState, 'version'>, actor: Actor, action: string, details: Record<string, unknown> = {}): Promise<void> {
    const event: InvoiceEvent = {
      at: new Date().toISOString(),
      actor,
      action,
      fromStatus: state.status,
      toStatus: next.status,
      details,
    };
    if (next.status !== state.status) upsertSearchAttributes([{ key: InvoiceStatusAttribute, value: next.status }]);
    state = { ...next, version: state.version + 1 };
    await db.projectInvoice.executeWithOptions({ summary: `${action}: → ${state.status} (v${state.version})` }, [{ state, event }]);
  }

  /** Runs a command once per request id; a repeat answers with the current state. */
  async function command(cmd: InvoiceCommand, action: InvoiceAction, fn: () => Promise<void>): Promise<InvoiceState> {
    return exclusive(async () => {
      if (processed.has(cmd.requestId)) return state;
      assertAllowed(cmd, action);
      await fn();
      processed.set(cmd.requestId, state.version);
      if (processed.size > REMEMBERED_REQUESTS) processed.delete(processed.keys().next().value as string);
      return state;
    });
  }

  async function remove(actor: Actor, action: string, status: InvoiceStatus = 'deleted'): Promise<void> {
    await db.releaseInvoiceReservations.executeWithOptions({ summary: 'release reservations' }, [{ invoiceId: state.id }]);
    await commit({ ...state, status, expiresAt: null }, actor, action);
  }

  setHandler(cancelInvoiceUpdate, (cmd) => command(cmd, 'cancel', () => remove(cmd.actor, 'cancel')), {
    validator: (cmd) => assertAllowed(cmd, 'cancel'),
  });

  // The starter has already written the read model; the new invoice is announced here, once.
  if (!input.continued) {
    await email.sendEmail
      .executeWithOptions({ summary: 'email: new invoice' }, [
        { key: `invoice/${state.id}/created`, kind: 'invoice_created', customerId: state.customerId, invoice: state },
      ])
      .catch((err: unknown) => log.warn('new invoice email not sent', { err }));
  }

  while (!isFinal(state.status)) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => !busy && allHandlersFinished());
      return continueAsNew<typeof invoiceWorkflow>({ state, settings, continued: true, processedRequests: [...processed], remindedFor });
    }
    const seen = state.version;
    const changed = () => state.version !== seen || workflowInfo().continueAsNewSuggested;
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
      await email.sendEmail
        .executeWithOptions({ summary: 'email: expiry reminder' }, [
          { key: `invoice/${state.id}/reminder/${state.expiresAt}`, kind: 'invoice_expiring', customerId: state.customerId, invoice: state },
        ])
        .catch((err: unknown) => log.warn('reminder email not sent', { err }));
      continue;
    }
    await exclusive(async () => {
      // A command that ran while we waited for the lock may have confirmed or locked the invoice.
      if (state.version !== seen) return;
      await remove(SYSTEM_ACTOR, 'expire');
      await email.sendEmail
        .executeWithOptions({ summary: 'email: invoice expired' }, [
          { key: `invoice/${state.id}/expired`, kind: 'invoice_expired', customerId: state.customerId, invoice: state },
        ])
        .catch((err: unknown) => log.warn('expiry email not sent', { err }));
    });
  }
  await condition(() => !busy && allHandlersFinished());
  return state;
}
