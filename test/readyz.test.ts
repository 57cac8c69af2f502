import { randomBytes } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../api/app.js';
import { createWorkerDb } from '../db/database.js';
import { freePort } from '../runtime/dev-stack.js';
import { loadConfig, type Config } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { connectApiClient } from '../runtime/temporal.js';
import { createWorker } from '../runtime/worker.js';
import { client } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

const logger = createLogger('silent', 'test');
let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

const check = (status: string) => ({ status, ms: expect.any(Number) });

async function timedReadyz(app: ReturnType<typeof createApp>) {
  const started = performance.now();
  const reply = await client(app)('GET', '/readyz');
  return { ...reply, ms: performance.now() - started };
}

/** The stack's config on another task queue, optionally with another freshness window. */
function onQueue(taskQueue: string, workerSeenWithinMs = s.config.readiness.workerSeenWithinMs): Config {
  return { ...s.config, temporal: { ...s.config.temporal, taskQueue }, readiness: { workerSeenWithinMs } };
}

describe('GET /readyz, one check per dependency', () => {
  it('is ready with PostgreSQL, Temporal and a worker polling the task queue, each with its latency', async () => {
    await expect.poll(async () => (await timedReadyz(s.app)).status, { timeout: 10_000 }).toBe(200);
    const ready = await timedReadyz(s.app);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { database: check('ok'), temporal: check('ok'), worker: { ...check('ok'), pollers: 1 } },
      database: 'ok',
      temporal: 'ok',
    });
    expect(ready.headers.get('retry-after')).toBeNull();
    for (const c of Object.values(ready.body.checks as Record<string, { ms: number }>)) expect(c.ms).toBeLessThan(1000);
  });

  it('a task queue no worker polls: 503 + Retry-After, worker no_pollers, database and Temporal ok', async () => {
    const app = createApp({ db: s.db, temporal: s.client, config: onQueue(`nobody-${randomBytes(4).toString('hex')}`), logger });
    const reply = await timedReadyz(app);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('2');
    expect(reply.body).toMatchObject({
      status: 'not_ready',
      checks: { database: check('ok'), temporal: check('ok'), worker: { ...check('no_pollers'), pollers: 0 } },
      database: 'ok',
      temporal: 'ok',
    });
    expect(reply.ms).toBeLessThan(1500);
  });

  it('a worker that stopped: ready while it polls, 503 once it was last seen longer ago than READYZ_WORKER_SEEN_WITHIN', async () => {
    const taskQueue = `stopping-${randomBytes(4).toString('hex')}`;
    const windowMs = 4000;
    const config = onQueue(taskQueue, windowMs);
    const app = createApp({ db: s.db, temporal: s.client, config, logger });
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const db = createWorkerDb(s.testDb.url, 2);
    const worker = await createWorker({ config, db, connection, client: s.client, logger, workflowBundle: { codePath: inject('workflowBundlePath') } });
    const running = worker.run();
    try {
      await expect.poll(async () => (await timedReadyz(app)).body.checks.worker, { timeout: 10_000 }).toMatchObject({ status: 'ok', pollers: 1 });
    } finally {
      worker.shutdown();
      await running;
    }
    const stoppedAt = performance.now();
    await expect.poll(async () => (await timedReadyz(app)).status, { timeout: windowMs + 5000, interval: 250 }).toBe(503);
    // Not before its last poll is older than the window: a slow poller is not a dead one.
    expect(performance.now() - stoppedAt).toBeGreaterThan(windowMs - 1500);
    const reply = await timedReadyz(app);
    expect(reply.headers.get('retry-after')).toBe('2');
    expect(reply.body).toMatchObject({ status: 'not_ready', checks: { temporal: check('ok'), worker: { ...check('no_pollers'), pollers: 0 } } });
    await connection.close();
    await db.destroy();
  });

  it('Temporal unreachable: Temporal and worker unreachable, database ok, within ~1 s', async () => {
    const temporal = await connectApiClient(`127.0.0.1:${await freePort()}`, 'default');
    const app = createApp({ db: s.db, temporal, config: s.config, logger });
    const reply = await timedReadyz(app);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('2');
    expect(reply.body).toMatchObject({
      status: 'not_ready',
      checks: { database: check('ok'), temporal: check('unreachable'), worker: { ...check('unreachable'), pollers: 0 } },
      temporal: 'unreachable',
    });
    expect(reply.ms).toBeLessThan(1500);
    await temporal.connection.close();
  });

  it('the default window outlasts an idle poller: longer than the server keeps a long poll open', () => {
    // An idle worker's last poll is up to a minute old (the server's long-poll timeout), so a
    // shorter default would call healthy idle workers gone.
    expect(loadConfig({}).readiness.workerSeenWithinMs).toBeGreaterThan(70_000);
  });
});
