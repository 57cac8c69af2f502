import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EmailRequest } from '../../core/contracts/email.js';
import type { Actor, InvoiceEvent, InvoiceState, InvoiceWorkflowInput } from '../../core/contracts/invoice.js';
import type { InvoiceCommand } from '../../core/contracts/invoice-messages.js';
import { DeleteAtAttribute, InvoiceStatusAttribute, MergedIntoAttribute } from '../../core/contracts/search-attributes.js';
import type { WorkflowSettings } from '../../core/contracts/settings.js';
import type { CommandRefusal } from '../../core/domain/invoice-commands.js';
import { deleteAt, invoiceDetails } from '../../core/domain/invoice-details.js';
import type { InvoiceLine, InvoiceStatus } from '../../core/domain/invoice.js';
import { withoutChanges } from '../../core/domain/line-changes.js';
import { keepManualPrices, type QuantityChange } from '../../core/domain/lines.js';
import { dbSteps, email } from '../activities.js';

/** How many recent request ids an invoice remembers (carried across continue-as-new). */
const REMEMBERED_REQUESTS = 500;

export const fail = (code: string, message: string) => ApplicationFailure.nonRetryable(message, code);

/** A domain rule's refusal, thrown as the failure the API answers. */
export function refuse(refused: CommandRefusal | undefined): void {
  if (refused) throw fail(refused.code, refused.reason);
}

type StatusEmailExtra = Partial<Pick<Extract<EmailRequest, { kind: 'invoice_status' }>, 'reason' | 'realizationNumber'>>;

/**
 * One run of invoice/<invoiceId>: the state every handler reads and changes, and the effects they
 * share (one command at a time, commit, notify). Handlers get this object, never a copy of the
 * state: `state` is replaced on every change.
 */
export class InvoiceContext {
  private current!: InvoiceState;
  readonly settings: WorkflowSettings;
  /** Request ids (and stock corrections) already applied, with the version each produced. */
  readonly processed: Map<string, number>;
  /** The expiresAt a reminder was already sent for. */
  remindedFor: string | null;
  private busy = false;
  /** Emails in flight; the workflow waits for them before it ends or continues as new, so none is dropped. */
  private readonly sending = new Set<Promise<void>>();
  /** The last committed action, shown in the UI's current details. */
  private lastAction: string | undefined;

  constructor(input: InvoiceWorkflowInput) {
    this.settings = input.settings;
    this.processed = new Map<string, number>(input.processedRequests ?? []);
    this.remindedFor = input.remindedFor ?? null;
    this.state = input.state; // last: the setter describes it, reminder included
  }

  get state(): InvoiceState {
    return this.current;
  }

  /** Every change of the state is shown in the UI at once (current details are no history command). */
  set state(next: InvoiceState) {
    this.current = next;
    this.describe();
  }

  describe(): void {
    const { state } = this;
    setCurrentDetails(invoiceDetails(state, { reminded: this.remindedFor !== null && this.remindedFor === state.expiresAt, lastAction: this.lastAction }));
  }

  /**
   * Keeps DeleteAt and MergedInto equal to the state, upserting only what differs. Only where the
   * starter indexed the invoice: InvoiceStatus set means the namespace has this app's attributes
   * (a worker refuses to start without them, runtime/search-attributes.ts), while the time-skipping
   * test server has none. Upserts are history commands: histories from before them replay unpatched.
   */
  syncSearchAttributes(): void {
    const attributes = workflowInfo().typedSearchAttributes;
    if (attributes.get(InvoiceStatusAttribute) === undefined) return;
    const updates: SearchAttributeUpdatePair[] = [];
    const wantedDeleteAt = deleteAt(this.state);
    if ((attributes.get(DeleteAtAttribute)?.getTime() ?? null) !== (wantedDeleteAt === null ? null : Date.parse(wantedDeleteAt))) {
      updates.push({ key: DeleteAtAttribute, value: wantedDeleteAt === null ? null : new Date(wantedDeleteAt) });
    }
    if ((attributes.get(MergedIntoAttribute) ?? null) !== this.state.mergedInto) updates.push({ key: MergedIntoAttribute, value: this.state.mergedInto });
    if (updates.length > 0 && patched('ui-search-attributes')) upsertSearchAttributes(updates);
  }

  /** Commands run one at a time: the state a handler validated is the state it changes. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // Re-check after waking: several waiters can be released by the same change.
    while (this.busy) await condition(() => !this.busy);
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  /** Applies a command's rule to the current state; a repeated request is not checked again. */
  check(cmd: InvoiceCommand, rule: (invoice: InvoiceState) => CommandRefusal | undefined): void {
    if (this.processed.has(cmd.requestId)) return;
    refuse(rule(this.state));
  }

  /** Runs a command once per request id; a repeat answers with the current state. */
  command(cmd: InvoiceCommand, validate: () => void, fn: () => Promise<void>): Promise<InvoiceState> {
    return this.exclusive(async () => {
      if (this.processed.has(cmd.requestId)) return this.state;
      validate(); // again: an earlier command may have changed the state since the validator ran
      await fn();
      this.processed.set(cmd.requestId, this.state.version);
      if (this.processed.size > REMEMBERED_REQUESTS) this.processed.delete(this.processed.keys().next().value as string);
      return this.state;
    });
  }

  /**
   * Applies a new state: bumps the version, records the event, updates the read model and search
   * attributes. `shrinkTo`: reservations lowered to these lines in the same step (an edit).
   */
  async commit(
    next: Omit<InvoiceState, 'version'>,
    actor: Actor,
    action: string,
    details: Record<string, unknown> = {},
    shrinkTo?: QuantityChange[],
  ): Promise<void> {
    const event: InvoiceEvent = { at: new Date().toISOString(), actor, action, fromStatus: this.state.status, toStatus: next.status, details };
    // Kept current when the starter indexed the invoice (always, except on the time-skipping test
    // server, which knows no custom search attributes).
    if (next.status !== this.state.status && workflowInfo().typedSearchAttributes.get(InvoiceStatusAttribute) !== undefined) {
      upsertSearchAttributes([{ key: InvoiceStatusAttribute, value: next.status }]);
    }
    this.lastAction = action;
    // Leaving "Изменен" in any way (accepted, edited, cut again while locked…) answers its changes.
    const lines = next.status === 'changed' ? next.lines : withoutChanges(next.lines);
    this.state = { ...next, lines, version: this.state.version + 1 };
    const summary = `${action}: → ${this.state.status} (v${this.state.version})`;
    if (shrinkTo) {
      await dbSteps().shrinkAndProjectInvoice.executeWithOptions({ summary }, [{ lines: shrinkTo, state: this.state, event }]);
      return;
    }
    await dbSteps().projectInvoice.executeWithOptions({ summary }, [{ state: this.state, event }]);
  }

  /** Status emails go out once per version (their key), and never hold the invoice up. */
  notify(previousStatus: InvoiceStatus, extra: StatusEmailExtra = {}): void {
    const { state } = this;
    const request: EmailRequest = {
      key: `invoice/${state.id}/v${state.version}/${state.status}`,
      kind: 'invoice_status',
      customerId: state.customerId,
      invoice: state,
      previousStatus,
      ...extra,
    };
    this.sendInBackground(request, `email: invoice ${state.status}`);
  }

  sendInBackground(request: EmailRequest, summary: string): void {
    const sent: Promise<void> = email.sendEmail
      .executeWithOptions({ summary }, [request])
      .catch((err: unknown) => log.warn('email not sent', { key: request.key, err }))
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /** No command running, no email in flight, no handler unfinished: safe to end or continue as new. */
  settled(): boolean {
    return !this.busy && this.sending.size === 0 && allHandlersFinished();
  }

  /** Sets reservations to `targets` and returns the checked lines (manual prices kept). */
  async reserve(targets: QuantityChange[], summary: string, claims?: string[]): Promise<InvoiceLine[]> {
    const input = { invoiceId: this.state.id, lines: targets, ...(claims ? { claims } : {}) };
    const checked = await dbSteps().reserveInvoiceLines.executeWithOptions({ summary }, [input]);
    return keepManualPrices(this.state.lines, checked);
  }

  confirmedNow(): Pick<InvoiceState, 'confirmedAt' | 'expiresAt'> {
    const now = Date.now();
    return { confirmedAt: new Date(now).toISOString(), expiresAt: new Date(now + this.settings.invoiceTtlMs).toISOString() };
  }

  /** Deletes the invoice, giving its stock back. */
  async remove(actor: Actor, action: string): Promise<void> {
    await dbSteps().releaseInvoiceReservations.executeWithOptions({ summary: 'release reservations' }, [{ invoiceId: this.state.id }]);
    await this.commit({ ...this.state, status: 'deleted', expiresAt: null }, actor, action);
  }
}
