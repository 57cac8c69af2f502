import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { signToken } from '../api/auth.js';
import { createApiDb, createWorkerDb, migrateToLatest } from '../db/database.js';
import { seedDemoData } from '../db/seed.js';
import { developmentDefaultsInUse, loadConfig } from './config.js';
import { DEMO_USERS } from '../api/demo-users.js';
import { findTemporalBinary, freePort } from './dev-stack.js';
import { createLogger } from './logger.js';
import { superviseEmbeddedPostgres, superviseTemporalDevServer } from './supervise.js';
import { connectClient } from './temporal.js';
import { startTracing } from './tracing.js';
import { startWaitlistWaker } from './waitlist-waker.js';
import { startWebhookDispatcher } from './webhook-dispatcher.js';
import { installWorkerMetrics } from './worker-metrics.js';
import { startApi } from '../runtime/server.js';
import { createWorker } from '../runtime/worker.js';

/**
 * `npm start`: the whole system in one process on embedded defaults. PostgreSQL and Temporal are
 * started locally unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere; then migrations, demo
 * data, the worker and the API. Ctrl-C stops everything this started.
 */
const config = loadConfig();
const logger = createLogger(config.logLevel, 'start');
const dataDir = resolve(config.dataDir);
mkdirSync(dataDir, { recursive: true });
const stops: (() => Promise<void>)[] = [];

async function main(): Promise<void> {
  // Before anything creates the SDK's runtime (the worker's connection below does).
  const workerMetricsUrl = installWorkerMetrics(config.workerMetricsPort ?? (await freePort()));
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.info('starting embedded PostgreSQL');
    // Supervised, like the dev server below: started again on the same port and data if it dies.
    const pgServer = await superviseEmbeddedPostgres(logger, { dataDir: join(dataDir, 'postgres'), persistent: true });
    stops.unshift(() => pgServer.stop());
    databaseUrl = pgServer.url;
  }
  let temporalAddress = config.temporal.address;
  let uiUrl: string | null = null;
  if (!temporalAddress) {
    logger.info('starting Temporal dev server');
    const temporal = await superviseTemporalDevServer(logger, {
      cli: findTemporalBinary('temporal', config.temporal.cli),
      dbFile: join(dataDir, 'temporal.db'),
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      logFile: join(dataDir, 'temporal.log'),
    });
    stops.unshift(() => temporal.stop());
    temporalAddress = temporal.address;
    uiUrl = temporal.uiUrl;
  }
  // `npm start` is the development stack (config.ts): that also offers the cabinet's demo sign-in.
  const runtime = { ...config, appEnv: config.appEnv ?? 'development', databaseUrl, temporal: { ...config.temporal, address: temporalAddress } };

  // The worker and the API get pools of their own, as they would in separate processes: requests
  // waiting on Temporal can then never starve the activities that Temporal waits on.
  const db = createWorkerDb(databaseUrl, config.dbPool.worker);
  stops.unshift(() => db.destroy());
  const apiDb = createApiDb(databaseUrl, config.dbPool.api, config.timeouts.dbConnectMs);
  stops.unshift(() => apiDb.destroy());
  const applied = await migrateToLatest(db);
  await seedDemoData(db);
  logger.info({ applied }, 'database ready (migrations and demo data)');

  const tracing = await startTracing(config, { serviceName: 'wholesale-orders' });
  // Started after migrations and seeding (their queries would be traces of their own); stopped
  // after the API and the worker, flushing their last spans.
  if (tracing) stops.unshift(() => tracing.shutdown());
  const temporal = await connectClient(temporalAddress, config.temporal.namespace, tracing ? { interceptors: tracing.clientInterceptors } : {});
  stops.unshift(() => temporal.connection.close());
  const workerConnection = await NativeConnection.connect({ address: temporalAddress });
  stops.unshift(() => workerConnection.close());
  const worker = await createWorker({ config: runtime, db, connection: workerConnection, client: temporal, logger, tracing });
  const workerDone = worker.run();
  stops.unshift(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone;
  });

  const dispatcher = startWebhookDispatcher({ db, config: config.webhooks, logger });
  stops.unshift(() => dispatcher.stop());
  const waker = startWaitlistWaker({ db, temporal, taskQueue: runtime.temporal.taskQueue, holdMs: runtime.waitlist.holdMs, logger });
  stops.unshift(() => waker.stop());

  const api = await startApi({ db: apiDb, temporal, config: runtime, logger });
  stops.unshift(() => api.stop());

  const tokens = await Promise.all(DEMO_USERS.map(async ({ label, user }) => `  ${label.padEnd(28)} ${await signToken(config.jwtSecret, user)}`));
  const uiHint = uiUrl ?? `the Temporal UI of ${temporalAddress}`;
  console.log(
    [
      '',
      'Wholesale orders is running.',
      `  API          ${api.url}`,
      `  API docs     ${api.url}/docs`,
      `  Cabinet      ${api.url}/cabinet`,
      `  Metrics      ${api.url}/metrics (API), ${workerMetricsUrl} (worker)`,
      `  Temporal UI  ${uiHint}   (an invoice's workflow id is invoice/<invoiceId>)`,
      config.email.resendApiKey ? '  Email        Resend' : `  Email        local outbox: ${api.url}/v1/admin/outbox (admin token)`,
      ...(config.jwtSecretIsDev ? ['  Auth         dev JWT secret (set AUTH_JWT_SECRET in production)'] : []),
      ...(developmentDefaultsInUse(config).some((name) => name.startsWith('SUPPLIER_'))
        ? ['  Supplier     demo details on payment invoices (set SUPPLIER_* in production)']
        : []),
      '',
      'Demo tokens (Authorization: Bearer <token>):',
      ...tokens,
      '',
      `Try: curl -H "Authorization: Bearer <customer token>" ${api.url}/v1/catalog/products`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('stopping');
  for (const stop of stops) {
    try {
      await stop();
    } catch (err) {
      logger.warn({ err }, 'while stopping');
    }
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(0));
main().catch((err: unknown) => {
  logger.error({ err }, 'start-up failed');
  void shutdown(1);
});
