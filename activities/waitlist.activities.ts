import type { Db } from '../db/database.js';
import { offerWaitlist } from '../db/waitlist.repository.js';

export function createWaitlistActivities({ db }: { db: Db }) {
  return {
    async offerWaitlist({ sku, holdMs }: { sku: string; holdMs: number }) {
      return offerWaitlist(db, sku, holdMs);
    },
  };
}
