import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApp } from '../../api/app.js';
import { createApiDb, createWorkerDb } from '../../db/database.js';
import { loadConfig, type Config } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import type { Tracing } from '../../runtime/tracing.js';
import { createWorker } from '../../runtime/worker.js';
import { createTestDb, type TestDb } from './db.js';
import { startFakeResend, type FakeResend } from './fake-resend.js';
import { TEST_SECRET } from './fixtures.js';

let runtimeInstalled = false;

export interface TestStack {
  config: Config;
  testDb: TestDb;
  db: TestDb['db'];
  client: Client;
  worker: Worker;
  resend: FakeResend;
  app: ReturnType<typeof createApp>;
  stop(): Promise<void>;
}

/**
 * Everything a workflow or API test needs on real servers: its own database, its own task queue
 * on the shared Temporal dev server, a running worker, a fake Resend, and the Hono app.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  temporalAddress = inject('temporalAddress'),
  interceptors?: WorkerOptions['interceptors'],
  /** Traced client and worker; the bundle must have been built with TRACING_WORKFLOW_MODULES. */
  traced?: { tracing: Tracing; workflowBundle: NonNullable<WorkerOptions['workflowBundle']> },
): Promise<TestStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const testDb = await createTestDb();
  const resend = await startFakeResend();
  const address = temporalAddress;
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    AUTH_JWT_SECRET: TEST_SECRET,
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: resend.url,
    LOG_LEVEL: 'silent',
    // Tests send hundreds of writes per token in seconds (staff tokens are shared by a whole file);
    // the rate limit itself is proven with its own app in test/hostile.limits.test.ts.
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    ...env,
  });
  const logger = createLogger('silent', 'test');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace, ...(traced ? { interceptors: traced.tracing.clientInterceptors } : {}) });
  const nativeConnection = await NativeConnection.connect({ address });
  // Pools as in production: the worker's, the API's, and the test's own (testDb.db) for checks.
  const workerDb = createWorkerDb(testDb.url, config.dbPool.worker);
  const apiDb = createApiDb(testDb.url, config.dbPool.api, config.timeouts.dbConnectMs);
  const worker = await createWorker({
    config,
    db: workerDb,
    connection: nativeConnection,
    client,
    logger,
    workflowBundle: traced?.workflowBundle ?? { codePath: inject('workflowBundlePath') },
    ...(interceptors ? { interceptors } : {}),
    tracing: traced?.tracing,
  });
  const running = worker.run();
  const app = createApp({ db: apiDb, temporal: client, config, logger });
  return {
    config,
    testDb,
    db: testDb.db,
    client,
    worker,
    resend,
    app,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await resend.close();
      await Promise.all([workerDb.destroy(), apiDb.destroy()]);
      await testDb.drop();
    },
  };
}
