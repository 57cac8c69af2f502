import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * Idempotency keys, one row per (principal, scope, key). A request claims its key with an owner
 * id and a lease; only the owner renews, answers or releases it, and a claim is taken over only
 * when its lease lapsed (its process died).
 */

export interface KeyClaim {
  principal: string;
  /** `METHOD /path` the key was used on. */
  scope: string;
  key: string;
  /** The request holding the claim. */
  owner: string;
}

export interface StoredKey {
  requestHash: string;
  statusCode: number | null;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
}

const leaseUntil = (leaseSeconds: number) => sql<Date>`now() + make_interval(secs => ${leaseSeconds})`;

/** Claims the key for this request; false when another request holds it or it already has an answer. */
export async function claimIdempotencyKey(db: Db, claim: KeyClaim, requestHash: string, leaseSeconds: number): Promise<boolean> {
  const { principal, scope, key, owner } = claim;
  const lease = leaseUntil(leaseSeconds);
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({ principal, scope, key, request_hash: requestHash, owner, lease_until: lease })
    .onConflict((oc) =>
      oc
        .columns(['principal', 'scope', 'key'])
        .doUpdateSet({ request_hash: requestHash, owner, lease_until: lease, created_at: sql`now()` })
        .where('idempotency_keys.status_code', 'is', null)
        .where((eb) => eb.or([eb('idempotency_keys.lease_until', 'is', null), eb('idempotency_keys.lease_until', '<', sql<Date>`now()`)])),
    )
    .returning('key')
    .executeTakeFirst();
  return claimed !== undefined;
}

export async function findIdempotencyKey(db: Db, principal: string, scope: string, key: string): Promise<StoredKey | undefined> {
  const stored = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('principal', '=', principal)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  return (
    stored && {
      requestHash: stored.request_hash,
      statusCode: stored.status_code,
      responseBody: stored.response_body,
      responseHeaders: stored.response_headers,
    }
  );
}

/** The claim's row, as long as this request still owns it. */
const mine = (db: Db, { principal, scope, key, owner }: KeyClaim) =>
  db.updateTable('idempotency_keys').where('principal', '=', principal).where('scope', '=', scope).where('key', '=', key).where('owner', '=', owner);

export async function renewIdempotencyLease(db: Db, claim: KeyClaim, leaseSeconds: number): Promise<void> {
  await mine(db, claim)
    .set({ lease_until: leaseUntil(leaseSeconds) })
    .execute();
}

/** Gives the key up (the request failed on our side), so the client can retry under it. */
export async function releaseIdempotencyKey(db: Db, { principal, scope, key, owner }: KeyClaim): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('principal', '=', principal)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('owner', '=', owner)
    .execute();
}

/** Stores the answer a repeat of the request gets, and ends the lease. */
export async function storeIdempotentResponse(
  db: Db,
  claim: KeyClaim,
  response: { statusCode: number; body: string; headers: Record<string, string> },
): Promise<void> {
  await mine(db, claim)
    .set({ status_code: response.statusCode, response_body: response.body, response_headers: JSON.stringify(response.headers), lease_until: null })
    .execute();
}
