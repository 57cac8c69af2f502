import type { Db } from '../db/database.js';
import { allocateNumber } from '../db/numbers.repository.js';
import type { NumberKind } from '../core/domain/numbering.js';

export function createNumberActivities({ db }: { db: Db }) {
  return {
    /** One number per entity: a retry finds the row it already wrote and returns it. */
    async allocateNumber(input: { kind: NumberKind; entityId: string; year: number }): Promise<string> {
      return allocateNumber(db, input);
    },
  };
}
