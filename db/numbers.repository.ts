import { sql } from 'kysely';
import { formatDocumentNumber, type NumberKind } from '../core/domain/numbering.js';
import type { Db } from './database.js';

/** Document numbers: a counter per (kind, year), and the number each entity got from it. */

/** One number per entity: a retry finds the row it already wrote and returns it. */
export async function allocateNumber(db: Db, { kind, entityId, year }: { kind: NumberKind; entityId: string; year: number }): Promise<string> {
  return db.transaction().execute(async (trx) => {
    // Overlapping attempts for one entity take turns, so the second finds the first's number.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`number:${entityId}`}, 0))`.execute(trx);
    const existing = await trx.selectFrom('document_numbers').select('number').where('entity_id', '=', entityId).executeTakeFirst();
    if (existing) return existing.number;
    const { last } = await trx
      .insertInto('number_counters')
      .values({ kind, year, last: 1 })
      .onConflict((oc) => oc.columns(['kind', 'year']).doUpdateSet((eb) => ({ last: eb('number_counters.last', '+', 1) })))
      .returning('last')
      .executeTakeFirstOrThrow();
    const number = formatDocumentNumber(kind, year, last);
    await trx.insertInto('document_numbers').values({ entity_id: entityId, kind, year, seq: last, number }).execute();
    return number;
  });
}
