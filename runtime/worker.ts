import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createMailer } from '../activities/email/mailer.js';
import { createWorkerDb, type Db } from '../db/database.js';
import { assertProductionReady, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { assertSearchAttributes } from './search-attributes.js';
import { connectClient, connectWorker, temporalAddress } from './temporal.js';
import { startTracing, type Tracing } from './tracing.js';
import { startWaitlistWaker } from './waitlist-waker.js';
import { startWebhookDispatcher } from './webhook-dispatcher.js';
import { installWorkerMetrics } from './worker-metrics.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  config: Config;
  db: Db;
  connection: NativeConnection;
  client: Client;
  logger: Logger;
  /** Prebuilt bundle (tests build it once); otherwise the worker bundles `workflows/index.ts`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  /** Extra worker interceptors (the fault tests inject activity failures through them). */
  interceptors?: WorkerOptions['interceptors'];
  /** When tracing is on: its interceptors and sink are added (a prebuilt bundle must include its workflow modules). */
  tracing?: Tracing | undefined;
}

export function createWorker({ config, db, connection, client, logger, workflowBundle, taskQueue, interceptors, tracing }: WorkerDeps): Promise<Worker> {
  const mailer = createMailer(config, logger);
  const options: WorkerOptions = {
    connection,
    namespace: config.temporal.namespace,
    taskQueue: taskQueue ?? config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ db, mailer, config, temporal: client }),
    ...(interceptors ? { interceptors } : {}),
    ...(config.temporal.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.temporal.maxCachedWorkflows } : {}),
  };
  return Worker.create(tracing ? tracing.instrumentWorker(options) : options);
}

async function main(): Promise<void> {
  const config = loadConfig();
  assertProductionReady(config);
  const logger = createLogger(config.logLevel, 'worker');
  const metricsUrl = config.workerMetricsPort === undefined ? undefined : installWorkerMetrics(config.workerMetricsPort);
  if (!config.databaseUrl) throw new Error('DATABASE_URL is not set');
  const tracing = await startTracing(config, { serviceName: 'wholesale-orders-worker' });
  const db = createWorkerDb(config.databaseUrl, config.dbPool.worker);
  const connection = await connectWorker(temporalAddress(config));
  const client = await connectClient(temporalAddress(config), config.temporal.namespace, tracing ? { interceptors: tracing.clientInterceptors } : {});
  // The invoice workflow upserts DeleteAt and MergedInto: fail here, not in every invoice's task.
  await assertSearchAttributes(client.connection, config.temporal.namespace);
  const worker = await createWorker({ config, db, connection, client, logger, tracing });
  logger.info({ taskQueue: config.temporal.taskQueue, maxCachedWorkflows: worker.options.maxCachedWorkflows, metricsUrl }, 'worker started');
  // Every worker process runs one: claims are row locks, so several never deliver one attempt twice.
  const dispatcher = startWebhookDispatcher({ db, config: config.webhooks, logger });
  const waker = startWaitlistWaker({ db, temporal: client, taskQueue: config.temporal.taskQueue, holdMs: config.waitlist.holdMs, logger });
  await worker.run(); // returns after SIGINT/SIGTERM, which the SDK handles by draining
  await waker.stop();
  await dispatcher.stop();
  await connection.close();
  await client.connection.close();
  await db.destroy();
  await tracing?.shutdown(); // sends the spans still batched
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
