import type { Db } from '../db/database.js';
import type { Activities } from '../src/contracts/activities.js';
import type { Config } from '../src/runtime/config.js';
import { createDocumentActivities } from './documents.activities.js';
import { createEmailActivities } from './email.activities.js';
import type { Mailer } from './email/mailer.js';
import { createNumberActivities } from './numbers.activities.js';
import { createProjectionActivities } from './projections.activities.js';
import { createReservationActivities } from './reservations.activities.js';
import { createShipmentActivities } from './shipments.activities.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  config: Config;
}

/** Every activity implementation, bound to its dependencies; checked against the contract. */
export function createActivities(deps: ActivityDeps): Activities {
  return {
    ...createReservationActivities(deps),
    ...createNumberActivities(deps),
    ...createProjectionActivities(deps),
    ...createEmailActivities(deps),
    ...createShipmentActivities(deps),
    ...createDocumentActivities(deps),
  } satisfies Activities;
}
