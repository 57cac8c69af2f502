import type { Context } from 'hono';
import { ping } from '../db/database.js';
import type { ApiDeps } from './router.js';

/** /readyz answers within about a second whatever its dependencies do. */
const READINESS_TIMEOUT_MS = 1000;

export type CheckStatus = 'ok' | 'unreachable' | 'no_pollers';

export interface Check {
  status: CheckStatus;
  /** How long the check took (about READINESS_TIMEOUT_MS when it timed out). */
  ms: number;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { database: Check; temporal: Check; worker: Check & { pollers: number } };
  /** The first shape of /readyz, kept for the probes and clients that read it. */
  database: 'ok' | 'unreachable';
  temporal: 'ok' | 'unreachable';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `probe` and times it; any failure (or the timeout) is "unreachable". */
async function timed<T>(probe: () => Promise<T>): Promise<{ ms: number; value: T | undefined }> {
  const started = performance.now();
  const value = await withTimeout(probe(), READINESS_TIMEOUT_MS).catch(() => undefined);
  return { ms: Math.round(performance.now() - started), value };
}

/**
 * Whether a worker polls the task queue. The server lists every poller it saw in the last few
 * minutes, stopped ones included, so a poller counts only if it polled within `seenWithinMs`. An
 * idle worker re-polls when its long poll ends (about a minute on the server's defaults): the
 * window must be longer than that.
 */
async function freshPollers(deps: ApiDeps, deadline: number): Promise<number> {
  const { namespace, taskQueue } = deps.config.temporal;
  // Kind and type left unspecified mean the normal queue's workflow pollers, the ones we want.
  const answer = await deps.temporal.withDeadline(deadline, () =>
    deps.temporal.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue } }),
  );
  const since = Date.now() - deps.config.readiness.workerSeenWithinMs;
  return answer.pollers.filter((p) => {
    const at = p.lastAccessTime;
    return at ? Number(at.seconds ?? 0) * 1000 + Math.floor((at.nanos ?? 0) / 1e6) >= since : false;
  }).length;
}

/** GET /readyz: each dependency with its state and latency; 503 + Retry-After unless all are ok. */
export function readiness(deps: ApiDeps) {
  return async (c: Context) => {
    const deadline = Date.now() + READINESS_TIMEOUT_MS;
    const [database, temporal, worker] = await Promise.all([
      timed(() => ping(deps.db).then(() => true)),
      timed(() => deps.temporal.withDeadline(deadline, () => deps.temporal.workflowService.getSystemInfo({})).then(() => true)),
      timed(() => freshPollers(deps, deadline)),
    ]);
    const reached = (check: { ms: number; value: unknown }): Check => ({ status: check.value === undefined ? 'unreachable' : 'ok', ms: check.ms });
    const pollers = worker.value ?? 0;
    const checks: Readiness['checks'] = {
      database: reached(database),
      temporal: reached(temporal),
      worker: { status: worker.value === undefined ? 'unreachable' : pollers > 0 ? 'ok' : 'no_pollers', ms: worker.ms, pollers },
    };
    const ready = Object.values(checks).every((check) => check.status === 'ok');
    const body: Readiness = {
      status: ready ? 'ready' : 'not_ready',
      checks,
      database: checks.database.status === 'ok' ? 'ok' : 'unreachable',
      temporal: checks.temporal.status === 'ok' ? 'ok' : 'unreachable',
    };
    return c.json(body, ready ? 200 : 503, ready ? {} : { 'Retry-After': '2' });
  };
}
