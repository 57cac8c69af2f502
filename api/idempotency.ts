import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../db/database.js';
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  renewIdempotencyLease,
  storeIdempotentResponse,
  type KeyClaim,
} from '../db/idempotency-keys.repository.js';
import type { User } from './auth.js';
import { Problem } from './errors.js';
import type { AppEnv } from './router.js';

/** A claim's lease; the running request renews it every LEASE_RENEW_MS, so only a dead one lapses. */
const LEASE_SECONDS = 30;
const LEASE_RENEW_MS = 10_000;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];
/** Visible ASCII, as the OpenAPI document says. */
const KEY_FORMAT = /^[\x21-\x7e]{1,200}$/;

/** Who sent a key: role, subject and the company or mailbox the token speaks for. */
export function principalOf(user: User): string {
  return [user.role, user.sub, user.customerId ?? user.email ?? ''].join(':');
}

/**
 * The id Temporal sees for this request (update id, request id): derived from who sent the key,
 * to which method and path, and the key itself, so two callers' keys can never meet in one
 * workflow. Without a key every request gets a fresh id.
 */
export function scopedRequestId(c: Context<AppEnv>): string {
  return c.get('idempotencyId') ?? randomUUID();
}

/** A UUID (version 8) derived from `parts`: the same parts always give the same id. */
export function stableUuid(...parts: unknown[]): string {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x80;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Awaits a workflow start whose id is derived from the request: finding that workflow already
 * there (a retry, a double click) is the same start, not an error.
 */
export async function startOnce(started: Promise<unknown>): Promise<void> {
  try {
    await started;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * The id of what this request creates: derived from its Idempotency-Key when it has one, so a retry
 * after a lost answer finds what the first attempt made instead of making it again.
 */
export function resourceId(c: Context<AppEnv>): string {
  const idempotencyId = c.get('idempotencyId');
  return idempotencyId ? stableUuid(idempotencyId) : randomUUID();
}

/**
 * What a repeat must match. A multipart form is hashed by its fields (name, file name, type and
 * bytes), not its raw bytes: a client that builds its form again on retry picks a new random
 * boundary, and that is still the same request.
 */
async function bodyHash(contentType: string | null, body: Buffer): Promise<string> {
  const digest = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return digest(body);
  try {
    const form = await new Request('http://body.local', { method: 'POST', headers: { 'Content-Type': contentType }, body: new Uint8Array(body) }).formData();
    const fields: string[][] = [];
    for (const [name, value] of form.entries()) {
      fields.push(typeof value === 'string' ? [name, value] : [name, value.name, value.type, digest(new Uint8Array(await value.arrayBuffer()))]);
    }
    return digest(JSON.stringify(fields.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))));
  } catch {
    return digest(body); // not a well-formed form: the route refuses it; the raw bytes will do
  }
}

/**
 * `Idempotency-Key` on unsafe requests, scoped by (principal, method, path, key) and bound to a
 * hash of the body: the first request claims the key, runs, and stores its answer; a repeat with
 * the same body gets that answer again without running; a repeat with another body is refused
 * (422); a repeat while the first still runs gets 409. Server errors release the claim so the
 * client can retry. A claim is taken over only when its lease lapsed (its process died).
 */
export function idempotency(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (key === undefined || ['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return next();
    if (!KEY_FORMAT.test(key))
      throw new Problem('validation_failed', 'Idempotency-Key: от 1 до 200 видимых ASCII-символов', [
        { path: 'header.idempotency-key', message: '1–200 visible ASCII characters' },
      ]);
    const principal = principalOf(c.get('user'));
    const scope = `${c.req.method} ${c.req.path}`;
    c.set('idempotencyId', `idem-${createHash('sha256').update(`${principal}\n${scope}\n${key}`).digest('hex').slice(0, 40)}`);
    const hash = await bodyHash(c.req.raw.headers.get('content-type'), Buffer.from(await c.req.arrayBuffer()));
    const claim: KeyClaim = { principal, scope, key, owner: randomUUID() };

    if (!(await claimIdempotencyKey(db, claim, hash, LEASE_SECONDS))) {
      const stored = await findIdempotencyKey(db, principal, scope, key);
      if (!stored) throw new Problem('idempotency_in_progress', 'Запрос с этим Idempotency-Key ещё выполняется');
      if (stored.requestHash !== hash) throw new Problem('idempotency_key_reused', 'Этот Idempotency-Key уже использован для другого запроса');
      if (stored.statusCode === null)
        throw new Problem('idempotency_in_progress', 'Запрос с этим Idempotency-Key ещё выполняется', undefined, { 'Retry-After': '1' });
      return c.body(stored.responseBody ?? '', stored.statusCode as 200, { ...(stored.responseHeaders ?? {}), 'Idempotent-Replayed': 'true' });
    }

    // Keep the lease while the request runs (it may wait on Temporal for a while).
    const renew = setInterval(() => {
      renewIdempotencyLease(db, claim, LEASE_SECONDS).catch(() => undefined);
    }, LEASE_RENEW_MS);
    try {
      await next();
    } finally {
      clearInterval(renew);
    }
    if (c.res.status >= 500) {
      await releaseIdempotencyKey(db, claim);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = c.res.headers.get(name);
      if (value) headers[name] = value;
    }
    await storeIdempotentResponse(db, claim, { statusCode: c.res.status, body: await c.res.clone().text(), headers });
  };
}
