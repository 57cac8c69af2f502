import { SYSTEM_ACTOR } from '../../core/contracts/invoice.js';
import type { InvoiceContext } from './context.js';

/**
 * The two things the expiry loop in invoice.workflow.ts does when its timer fires: remind the
 * customer, then expire the invoice. The loop (and its timers) stays in the workflow function.
 */

/** Remind once per expiry date; the email never holds the invoice up. */
export function remind(run: InvoiceContext): void {
  const { state } = run;
  run.remindedFor = state.expiresAt;
  run.describe();
  run.sendInBackground(
    { key: `invoice/${state.id}/reminder/${state.expiresAt}`, kind: 'invoice_expiring', customerId: state.customerId, invoice: state },
    'email: expiry reminder',
  );
}

/** The customer let the invoice wait too long: delete it, giving its stock back, unless it moved on meanwhile. */
export function expire(run: InvoiceContext, seenVersion: number): Promise<void> {
  return run.exclusive(async () => {
    // A command that ran while we waited for the lock may have confirmed or locked the invoice.
    if (run.state.version !== seenVersion || run.state.lockedBy) return;
    await run.remove(SYSTEM_ACTOR, 'expire');
    const { state } = run;
    run.sendInBackground(
      { key: `invoice/${state.id}/expired`, kind: 'invoice_expired', customerId: state.customerId, invoice: state },
      'email: invoice expired',
    );
  });
}
