import type { Client } from '@temporalio/client';
import type { Db } from '../db/database.js';
import type { Activities } from '../core/contracts/activities.js';
import type { Config } from '../runtime/config.js';
import { createDocumentActivities } from './documents.activities.js';
import { createEmailActivities } from './email.activities.js';
import type { Mailer } from './email/mailer.js';
import { createMergeActivities } from './merges.activities.js';
import { createNumberActivities } from './numbers.activities.js';
import { createProjectionActivities } from './projections.activities.js';
import { createReservationActivities } from './reservations.activities.js';
import { createShipmentActivities } from './shipments.activities.js';
import { createWaitlistActivities } from './waitlist.activities.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  config: Config;
  /** For the merge saga, which sends updates to invoices from activities. */
  temporal: Client;
}

/** Every activity implementation, bound to its dependencies; checked against the contract. */
export function createActivities(deps: ActivityDeps): Activities {
  return {
    ...createReservationActivities(deps),
    ...createNumberActivities(deps),
    ...createProjectionActivities(deps),
    ...createEmailActivities(deps),
    ...createShipmentActivities(deps),
    ...createMergeActivities(deps),
    ...createDocumentActivities(deps),
    ...createWaitlistActivities(deps),
  } satisfies Activities;
}
