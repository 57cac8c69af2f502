import { patched, setHandler } from '@temporalio/workflow';
import {
  addItemsUpdate,
  answerChangesUpdate,
  cancelInvoiceUpdate,
  editInvoiceUpdate,
  shipInvoiceUpdate,
  submitInvoiceUpdate,
  type ChangeAnswers,
  type EditLines,
  type InvoiceCommand,
} from '../../core/contracts/invoice-messages.js';
import { customerActionRefusal, nothingToShipRefusal } from '../../core/domain/invoice-commands.js';
import type { InvoiceAction } from '../../core/domain/invoice.js';
import { answerChanges } from '../../core/domain/line-changes.js';
import { addingRefusal, applyEdit, requestedAfterAdding, type LinesResult } from '../../core/domain/lines.js';
import { fail, refuse, type InvoiceContext } from './context.js';

/** The customer's commands: edit, submit (or accept a manager's changes), add items, ship, cancel. */
export function registerCustomerCommands(run: InvoiceContext): void {
  const allowed = (cmd: InvoiceCommand, action: InvoiceAction) => {
    run.check(cmd, (invoice) => customerActionRefusal(invoice, cmd.expectedVersion, action));
  };

  const allowedToAdd = (cmd: EditLines) => {
    allowed(cmd, 'addItems');
    if (run.processed.has(cmd.requestId)) return; // a repeat answers with the state
    const refused = addingRefusal(run.state.lines, cmd.lines);
    if (refused) throw fail('too_many_lines', refused);
  };

  setHandler(
    editInvoiceUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => allowed(cmd, 'edit'),
        () => edit(run, cmd),
      ),
    {
      validator: (cmd: EditLines) => {
        allowed(cmd, 'edit');
        if (!run.processed.has(cmd.requestId)) editedLines(run, cmd); // a repeat answers with the state
      },
    },
  );
  setHandler(
    submitInvoiceUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => allowed(cmd, 'submit'),
        () => submit(run, cmd),
      ),
    {
      validator: (cmd: InvoiceCommand) => allowed(cmd, 'submit'),
    },
  );
  setHandler(
    addItemsUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => allowedToAdd(cmd),
        () => addItems(run, cmd),
      ),
    {
      validator: (cmd: EditLines) => allowedToAdd(cmd),
    },
  );
  setHandler(
    answerChangesUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => allowed(cmd, 'answerChanges'),
        () => answer(run, cmd),
      ),
    {
      validator: (cmd: ChangeAnswers) => {
        allowed(cmd, 'answerChanges');
        if (!run.processed.has(cmd.requestId)) answeredLines(run, cmd);
      },
    },
  );
  setHandler(
    shipInvoiceUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => allowed(cmd, 'ship'),
        () => ship(run, cmd),
      ),
    {
      validator: (cmd: InvoiceCommand) => allowed(cmd, 'ship'),
    },
  );
  setHandler(
    cancelInvoiceUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => allowed(cmd, 'cancel'),
        () => cancel(run, cmd),
      ),
    {
      validator: (cmd: InvoiceCommand) => allowed(cmd, 'cancel'),
    },
  );
}

function editedLines(run: InvoiceContext, cmd: EditLines): Extract<LinesResult, { ok: true }> {
  const edited = applyEdit(run.state.lines, cmd.lines);
  if (!edited.ok) throw fail('validation_failed', edited.reason);
  return edited;
}

/** New quantities for lines already on the invoice (0 removes) → draft. */
async function edit(run: InvoiceContext, cmd: EditLines): Promise<void> {
  const edited = editedLines(run, cmd);
  // Lowered lines free their stock at once; raised ones wait for the re-check.
  const shrinkTo = edited.lines.map((l) => ({ sku: l.sku, quantity: l.approved }));
  const next = { ...run.state, status: 'draft' as const, lines: edited.lines };
  // One database step (reservations and read model in one transaction) instead of two.
  if (patched('edit-one-step')) return run.commit(next, cmd.actor, 'edit', { lines: cmd.lines }, shrinkTo);
  await run.reserve(shrinkTo, 'shrink reservations to the edit');
  await run.commit(next, cmd.actor, 'edit', { lines: cmd.lines });
}

/** Send for confirmation: every line re-checked against stock → confirmed (from changed: the customer accepts the changes). */
async function submit(run: InvoiceContext, cmd: InvoiceCommand): Promise<void> {
  const from = run.state.status;
  const lines = await run.reserve(
    run.state.lines.map((l) => ({ sku: l.sku, quantity: l.requested })),
    `re-check ${run.state.lines.length} lines`,
  );
  await run.commit({ ...run.state, status: 'confirmed', lines, ...run.confirmedNow() }, cmd.actor, from === 'changed' ? 'accept_changes' : 'submit');
  run.notify(from);
}

/** Cart items added (the same SKU sums up), re-checked → confirmed. */
async function addItems(run: InvoiceContext, cmd: EditLines): Promise<void> {
  const from = run.state.status;
  const lines = await run.reserve(requestedAfterAdding(run.state.lines, cmd.lines), `check ${cmd.lines.length} added lines`, cmd.claims);
  await run.commit({ ...run.state, status: 'confirmed', lines, ...run.confirmedNow() }, cmd.actor, 'add_items', { added: cmd.lines });
  run.notify(from);
}

function answeredLines(run: InvoiceContext, cmd: ChangeAnswers) {
  const answered = answerChanges(run.state.lines, cmd.lines);
  if (!answered.ok) throw fail('validation_failed', answered.reason);
  return answered;
}

/**
 * The customer's answer to a change, line by line: accepted lines stay as changed, removed ones
 * give their stock back in the same step → confirmed, the clock starting again as on acceptance.
 */
async function answer(run: InvoiceContext, cmd: ChangeAnswers): Promise<void> {
  const from = run.state.status;
  const { lines, removed, waitFor } = answeredLines(run, cmd);
  const keep = lines.map((l) => ({ sku: l.sku, quantity: l.approved }));
  const next = { ...run.state, status: 'confirmed' as const, lines, ...run.confirmedNow() };
  // The rest of a lowered line goes on the waitlist from the API, which owns the customer's places in line.
  await run.commit(next, cmd.actor, 'answer_changes', { answers: cmd.lines, removed, ...(waitFor.length ? { waitFor } : {}) }, keep);
  run.notify(from);
}

/** Send for shipment → shipment_confirmed: locked from here on, and no longer expires. */
async function ship(run: InvoiceContext, cmd: InvoiceCommand): Promise<void> {
  refuse(nothingToShipRefusal(run.state));
  await run.commit({ ...run.state, status: 'shipment_confirmed', expiresAt: null }, cmd.actor, 'ship');
  run.notify('confirmed');
}

/** Delete now, giving the stock back. */
async function cancel(run: InvoiceContext, cmd: InvoiceCommand): Promise<void> {
  const from = run.state.status;
  await run.remove(cmd.actor, 'cancel');
  run.notify(from);
}
