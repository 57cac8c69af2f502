import type { MiddlewareHandler } from 'hono';
import { Problem } from './errors.js';
import type { AppEnv } from './router.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per principal (role and subject of the bearer token) on write requests: `burst`
 * writes at once, refilled at `perMinute`. Over the limit → 429 `rate_limited` with `Retry-After`.
 * In memory, per API process: several API processes each allow the rate (documented). Reads are
 * not limited. `perMinute = 0` turns it off.
 */
export function writeRateLimit(perMinute: number, burst: number, now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  let lastSweep = now();
  return async (c, next) => {
    if (perMinute === 0 || !WRITES.has(c.req.method)) return next();
    const user = c.get('user');
    const key = `${user.role}:${user.sub}`;
    const t = now();
    if (t - lastSweep > 60_000) {
      // Buckets that have refilled completely carry no information: drop them.
      for (const [k, b] of buckets) if (b.tokens + (t - b.updatedMs) * perMs >= burst) buckets.delete(k);
      lastSweep = t;
    }
    const bucket = buckets.get(key) ?? { tokens: burst, updatedMs: t };
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.updatedMs) * perMs);
    bucket.updatedMs = t;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new Problem('rate_limited', `Слишком много изменений подряд: повторите через ${retryAfter} с`, undefined, { 'Retry-After': String(retryAfter) });
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    await next();
  };
}
