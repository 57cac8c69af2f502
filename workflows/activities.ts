import { patched, proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../core/contracts/activities.js';

/**
 * Every activity proxy with its timeouts and retry policy, in one reviewed place.
 * Business failures (`ApplicationFailure` with a FailureCode type) are non-retryable where thrown.
 */

type DbActivities = Pick<
  Activities,
  | 'reserveInvoiceLines'
  | 'releaseInvoiceReservations'
  | 'pinInvoiceReservations'
  | 'allocateNumber'
  | 'projectInvoice'
  | 'shrinkAndProjectInvoice'
  | 'projectOrder'
  | 'isInvoiceOpen'
  | 'getInvoiceReservations'
  | 'commitShipment'
  | 'correctStock'
  | 'offerWaitlist'
>;

// A database outage must delay orders, never fail them: retry without an attempt limit, backing
// off to one try a minute.
const DB_RETRY: RetryPolicy = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' };

/** PostgreSQL work: reservations, numbers, projections. */
export const db = proxyActivities<DbActivities>({
  // One short transaction; 30 s covers lock waits under heavy checkout contention. An attempt that
  // outlives it is harmless: a retry waits for the invoice's lock and then finds the work done.
  startToCloseTimeout: '30s',
  retry: DB_RETRY,
});

/**
 * The same steps as local activities: the worker runs them inside the workflow task, so a chain of
 * them costs no round trip through the Temporal server per step (an order is five such steps, an
 * edit two). Same timeout and retries; a worker that dies mid-step leaves no marker, and the next
 * one runs the step again, which the steps' locks make harmless as for any retry.
 */
const localDb = proxyLocalActivities<DbActivities>({ startToCloseTimeout: '30s', retry: DB_RETRY });

/** The hot path's PostgreSQL steps (orders, invoice commands): local for workflows that know it. */
export function dbSteps(): typeof db | typeof localDb {
  return patched('local-db-steps') ? localDb : db;
}

/** Email through Resend or the outbox. */
export const email = proxyActivities<Pick<Activities, 'sendEmail'>>({
  // One HTTP call to the provider; the SDK's own timeout is shorter.
  startToCloseTimeout: '30s',
  // Keep trying for a day (provider outages), then give up: a lost notification must not keep
  // the business process from moving on.
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['email_rejected'] },
});

/** Document generation: one query and one PDF/XLSX build, then one write of the bytes. */
export const documents = proxyActivities<Pick<Activities, 'generateDocument' | 'markDocumentFailed'>>({
  // The bench builds a 50,000-line report in seconds; 2 minutes leaves room for a slow database.
  startToCloseTimeout: '2m',
  retry: {
    // A few tries for a database blip; a bug in a generator fails the same way every time, and the
    // customer should see "failed" in seconds rather than wait forever. Business refusals
    // (not_found, invalid_transition) are non-retryable where thrown.
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumAttempts: 4,
  },
});

/** The merge saga's steps: updates sent to invoices, and reservation moves. */
export const merges = proxyActivities<Pick<Activities, 'sendMergeStep' | 'moveReservations' | 'restoreReservations'>>({
  // An update round trip or one transaction; a source busy with another command answers within seconds.
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    // A source refusing to be merged (or unmerged) is an answer, not an outage.
    nonRetryableErrorTypes: ['invalid_transition', 'invoice_locked', 'version_conflict', 'not_found', 'validation_failed'],
  },
});
