import type { Migration } from 'kysely';
import * as init from './2026-11-27T0800_init.js';
import * as realizations from './2026-11-27T0900_realizations.js';
import * as merges from './2026-11-27T1100_merges.js';
import * as documents from './2026-11-27T1000_documents.js';
import * as hostileInput from './2026-11-30T0900_hostile_input.js';
import * as stockByConstruction from './2026-11-30T0900_stock-by-construction.js';
import * as metricsIndexes from './2026-12-01T0900_metrics-indexes.js';
import * as outbox from './2026-12-02T0900_outbox.js';
import * as waitlist from './2026-12-03T0900_waitlist.js';

/** Every migration, by timestamped name; Kysely applies them in name order. */
export const migrations: Record<string, Migration> = {
  '2026-11-27T0800_init': init,
  '2026-11-27T0900_realizations': realizations,
  '2026-11-27T1100_merges': merges,
  '2026-11-27T1000_documents': documents,
  '2026-11-30T0900_hostile_input': hostileInput,
  '2026-11-30T0900_stock-by-construction': stockByConstruction,
  '2026-12-01T0900_metrics-indexes': metricsIndexes,
  '2026-12-02T0900_outbox': outbox,
  '2026-12-03T0900_waitlist': waitlist,
};
