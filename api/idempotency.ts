import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/database.js';
import type { User } from './auth.js';
import { Problem } from './errors.js';

/** A claim older than this whose request never finished (crashed process) may be taken over. */
const STALE_CLAIM_SECONDS = 60;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

/**
 * `Idempotency-Key` on unsafe requests: the first request claims the key, runs, and stores its
 * answer; a repeat with the same body gets that answer again without running; a repeat with
 * another body is refused. Server errors release the claim so the client can retry.
 */
export function idempotency(db: Db): MiddlewareHandler<{ Variables: { user: User } }> {
  return async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (!key || ['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return next();
    if (key.length > 200) throw new Problem('validation_failed', 'Idempotency-Key длиннее 200 символов');
    const principal = c.get('user').sub;
    const body = Buffer.from(await c.req.arrayBuffer());
    const hash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n`).update(body).digest('hex');

    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ principal, key, request_hash: hash })
      .onConflict((oc) =>
        oc
          .columns(['principal', 'key'])
          .doUpdateSet({ request_hash: hash, created_at: sql`now()` })
          .where('idempotency_keys.status_code', 'is', null)
          .where(sql<boolean>`idempotency_keys.created_at < now() - make_interval(secs => ${STALE_CLAIM_SECONDS})`),
      )
      .returning('key')
      .executeTakeFirst();

    if (!claimed) {
      const stored = await db.selectFrom('idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirstOrThrow();
      if (stored.request_hash !== hash) throw new Problem('idempotency_key_reused', 'Этот Idempotency-Key уже использован для другого запроса');
      if (stored.status_code === null) throw new Problem('idempotency_in_progress', 'Запрос с этим Idempotency-Key ещё выполняется');
      return c.body(stored.response_body ?? '', stored.status_code as 200, { ...(stored.response_headers ?? {}), 'Idempotent-Replayed': 'true' });
    }

    await next();
    if (c.res.status >= 500) {
      await db.deleteFrom('idempotency_keys').where('principal', '=', principal).where('key', '=', key).execute();
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = c.res.headers.get(name);
      if (value) headers[name] = value;
    }
    await db
      .updateTable('idempotency_keys')
      .set({ status_code: c.res.status, response_body: await c.res.clone().text(), response_headers: JSON.stringify(headers) })
      .where('principal', '=', principal)
      .where('key', '=', key)
      .execute();
  };
}
