import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { InvoiceState, InvoiceWorkflowInput } from '../core/contracts/invoice.js';
import { getInvoiceQuery } from '../core/contracts/invoice.js';
import { isFinal, nextExpiryTimer, waitsOnCustomer } from '../core/domain/invoice.js';
import { InvoiceContext } from './invoice/context.js';
import { registerCustomerCommands } from './invoice/customer.js';
import { expire, remind } from './invoice/expiry.js';
import { registerMergeSteps } from './invoice/merge-steps.js';
import { registerStaffCommands } from './invoice/staff.js';
import { registerStockCut } from './invoice/stock-cut.js';

/**
 * invoice/<invoiceId>: the invoice as a long-running entity. Commands arrive as updates whose
 * validators refuse invalid ones before they enter history; accepted commands run one at a time;
 * a resettable timer expires the invoice when it waits on the customer too long.
 *
 * The handlers live in ./invoice/, grouped by who sends them; the rules they apply are in
 * core/domain (invoice-commands.ts, invoice.ts, lines.ts).
 */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const run = new InvoiceContext(input);
  const { settings } = run;

  // Registered in this order before the first await: replay depends on it.
  setHandler(getInvoiceQuery, () => run.state);
  registerCustomerCommands(run); // edit, submit, add items, ship, cancel
  registerStaffCommands(run); // manager's adjustment, warehouse steps
  registerStockCut(run); // a stock correction cut the reservations
  registerMergeSteps(run); // sent by merge/<id>

  // The starter has already written the read model; the new invoice is announced here, once.
  if (!input.continued) {
    const { state } = run;
    if (input.announced === 'merged') run.notify(state.status);
    else
      run.sendInBackground({ key: `invoice/${state.id}/created`, kind: 'invoice_created', customerId: state.customerId, invoice: state }, 'email: new invoice');
  }

  while (!isFinal(run.state.status)) {
    // Every state change wakes this loop, so the search attributes follow the state from here.
    run.syncSearchAttributes();
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => run.settled());
      return continueAsNew<typeof invoiceWorkflow>({
        state: run.state,
        settings,
        continued: true,
        processedRequests: [...run.processed],
        remindedFor: run.remindedFor,
      });
    }
    const seen = run.state.version;
    const changed = () => run.state.version !== seen || workflowInfo().continueAsNewSuggested;
    if (run.state.lockedBy) {
      // A merge holds the invoice: it ends in a new status or in a release; expiry waits for that.
      await condition(() => !run.state.lockedBy || changed());
      continue;
    }
    if (!waitsOnCustomer(run.state.status) || !run.state.expiresAt) {
      await condition(changed);
      continue;
    }
    // Resettable timers: one condition with a timeout per loop turn, re-armed when the state moves.
    const { reminderDue, deadline } = nextExpiryTimer(run.state.expiresAt, run.remindedFor, settings.reminderBeforeMs, Date.now());
    if (await condition(changed, Math.max(deadline - Date.now(), 1))) continue;
    if (reminderDue) {
      remind(run);
      continue;
    }
    await expire(run, seen);
  }
  run.syncSearchAttributes();
  await condition(() => run.settled());
  return run.state;
}
