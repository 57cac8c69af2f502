import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../activities/email/mailer.js';
import { createProjectionActivities } from '../../activities/projections.activities.js';
import { createReservationActivities } from '../../activities/reservations.activities.js';
import { invoiceWorkflowId } from '../../core/contracts/ids.js';
import type { InvoiceState } from '../../core/contracts/invoice.js';
import { SYSTEM_ACTOR } from '../../core/contracts/invoice.js';
import { loadConfig, type Config } from '../../runtime/config.js';
import { findTemporalBinary } from '../../runtime/dev-stack.js';
import { createLogger } from '../../runtime/logger.js';
import type { invoiceWorkflow } from '../../workflows/invoice.workflow.js';
import { createTestDb, type TestDb } from './db.js';
import { startFakeResend, type FakeResend } from './fake-resend.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  testDb: TestDb;
  db: TestDb['db'];
  resend: FakeResend;
  config: Config;
  taskQueue: string;
  /** Runs `fn` (the file's worker polls the task queue all along). */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  /** Creates an invoice as the order workflow would (reservations + read model) and starts its workflow. */
  startInvoice(
    customerId: string,
    lines: { sku: string; quantity: number }[],
  ): Promise<{ state: InvoiceState; handle: Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>> }>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** The time-skipping test server (timers of days fire in milliseconds) with real PostgreSQL activities. */
export async function startTimeSkippingStack(): Promise<TimeSkippingStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTemporalBinary('temporal-test-server', process.env.TEMPORAL_TEST_SERVER) } },
  });
  const testDb = await createTestDb();
  const resend = await startFakeResend();
  const taskQueue = `ts-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    RESEND_API_KEY: 're_test',
    RESEND_BASE_URL: resend.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('silent', 'test');
  const activities = createActivities({
    db: testDb.db,
    mailer: createMailer(config, logger),
    config,
    // A plain client for the merge saga's activities: the environment's own client locks and
    // unlocks time skipping around its calls, which must stay with the test.
    temporal: new Client({ connection: env.connection, namespace: env.namespace ?? 'default' }),
  });

  // One worker for the whole file. A worker per test left workflow tasks on the previous worker's
  // sticky queue; the test server times those out in skipped time, which stands still while a task
  // is outstanding, so the next long sleep could hang.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
  });
  const running = worker.run();

  return {
    env,
    testDb,
    db: testDb.db,
    resend,
    config,
    taskQueue,
    withWorker: (fn) => fn(),
    async startInvoice(customerId, lines) {
      const id = randomUUID();
      const checked = await createReservationActivities(testDb).reserveInvoiceLines({ invoiceId: id, lines });
      const now = await env.currentTimeMs();
      const at = new Date(now).toISOString();
      const state: InvoiceState = {
        id,
        number: `СЧ-TEST-${id.slice(0, 6)}`,
        customerId,
        orderId: null,
        status: 'confirmed',
        lines: checked,
        version: 1,
        createdAt: at,
        confirmedAt: at,
        expiresAt: new Date(now + config.durations.invoiceTtlMs).toISOString(),
        mergedInto: null,
        boxes: null,
        realization: null,
      };
      await createProjectionActivities(testDb).projectInvoice({
        state,
        event: { at, actor: SYSTEM_ACTOR, action: 'create', fromStatus: null, toStatus: 'confirmed', details: {} },
      });
      const handle = await env.client.workflow.start<typeof invoiceWorkflow>('invoiceWorkflow', {
        workflowId: invoiceWorkflowId(id),
        taskQueue,
        args: [{ state, settings: config.durations }],
      });
      return { state, handle };
    },
    async stop() {
      worker.shutdown();
      await running;
      await resend.close();
      await testDb.drop();
      await env.teardown();
    },
  };
}
