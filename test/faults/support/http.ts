// Real HTTP against the API processes, as a portal back end would call them: every unsafe request
// carries an Idempotency-Key, and an unanswered or failed request is retried with the same key.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signToken, type User } from '../../../api/auth.js';

/** HS256 key of the suite's bearer tokens (config wants at least 16 characters; we use 40). */
export const FAULT_SECRET = 'fault-suite-secret-0123456789-abcdefghij';

export interface Reply {
  method: string;
  path: string;
  /** 0 when no answer came (refused, reset, or our own timeout). */
  status: number;
  headers: Headers;
  body: any;
  /** Wall time of the request in ms. */
  ms: number;
  error?: string;
}

export interface CallOptions {
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export type Call = (method: string, path: string, opts?: CallOptions) => Promise<Reply>;

export async function tokenFor(user: User): Promise<string> {
  return signToken(FAULT_SECRET, user);
}

/** A caller bound to a base URL (or a function choosing one per request) and a bearer token. */
export function caller(base: string | (() => string), token: string): Call {
  return async (method, path, opts = {}) => {
    const url = new URL(path, typeof base === 'string' ? base : base()).toString();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
    const started = Date.now();
    try {
      const res = await fetch(url, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON
      }
      return { method, path, status: res.status, headers: res.headers, body, ms: Date.now() - started };
    } catch (error) {
      return {
        method,
        path,
        status: 0,
        headers: new Headers(),
        body: null,
        ms: Date.now() - started,
        error: errorText(error),
      };
    }
  };
}

let bailReason: () => string | undefined = () => undefined;

/**
 * A condition under which waiting is pointless (say, an API process crashed): `settle` and
 * `pollUntil` then fail at once with its reason instead of running out their time.
 */
export function bailWhen(reason: () => string | undefined): void {
  bailReason = reason;
}

function bailIfNeeded(what: string): void {
  const reason = bailReason();
  if (reason) throw new Error(`${what}: given up: ${reason}`);
}

/** fetch's own message is "fetch failed"; the reason (refused, reset, timeout) is in its cause. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${(error.cause as NodeJS.ErrnoException).code ?? ''} ${error.cause.message}` : '';
  return `${error.name} ${error.message}${cause}`;
}

/** Worth repeating with the same Idempotency-Key: no answer, a server error, or "still running". */
export function retryable(reply: Reply): boolean {
  return reply.status === 0 || reply.status >= 500 || (reply.status === 409 && reply.body?.code === 'idempotency_in_progress');
}

export function describe(reply: Reply): string {
  return `${reply.method} ${reply.path} → ${reply.status} in ${reply.ms} ms${reply.error ? ` (${reply.error})` : ''} ${JSON.stringify(reply.body)?.slice(0, 300)}`;
}

/**
 * Sends one unsafe request under one Idempotency-Key until it gets a definite answer (bounded by
 * `withinMs`). Returns the final reply and every attempt, so a case can inspect what the faults did.
 */
export async function settle(call: Call, method: string, path: string, body?: unknown, withinMs = 180_000): Promise<{ reply: Reply; attempts: Reply[] }> {
  const idempotencyKey = randomUUID();
  const attempts: Reply[] = [];
  const deadline = Date.now() + withinMs;
  for (let pauseMs = 250; ; pauseMs = Math.min(pauseMs * 2, 3_000)) {
    const reply = await call(method, path, { body, idempotencyKey, timeoutMs: 30_000 });
    attempts.push(reply);
    if (!retryable(reply)) return { reply, attempts };
    bailIfNeeded(`${method} ${path}`);
    if (Date.now() > deadline) {
      const shown = attempts.length > 6 ? [...attempts.slice(0, 3), ...attempts.slice(-3)] : attempts;
      throw new Error(`no definite answer within ${withinMs / 1000} s after ${attempts.length} attempts (first and last):\n${shown.map(describe).join('\n')}`);
    }
    await sleep(pauseMs);
  }
}

/** Polls a GET until `done` holds (bounded). Failed reads (outage) are retried. */
export async function pollUntil(call: Call, path: string, done: (body: any) => boolean, withinMs = 180_000): Promise<any> {
  let last: Reply | undefined;
  for (const deadline = Date.now() + withinMs; Date.now() < deadline;) {
    last = await call('GET', path, { timeoutMs: 10_000 });
    if (last.status === 200 && done(last.body)) return last.body;
    bailIfNeeded(`GET ${path}`);
    await sleep(300);
  }
  throw new Error(`GET ${path}: condition not met within ${withinMs / 1000} s; last: ${last ? describe(last) : 'none'}`);
}
