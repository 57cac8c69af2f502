import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import type { ApiDeps } from '../api/router.js';
import { createApiDb } from '../db/database.js';
import { assertProductionReady, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { connectApiClient, temporalAddress } from './temporal.js';
import { startTracing } from './tracing.js';

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

export function startApi(deps: ApiDeps, port = deps.config.port): Promise<RunningApi> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '0.0.0.0' }, (info: AddressInfo) => {
      resolve({
        url: `http://localhost:${info.port}`,
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  assertProductionReady(config);
  const logger = createLogger(config.logLevel, 'api');
  if (!config.databaseUrl) throw new Error('DATABASE_URL is not set');
  if (config.appEnv === 'development') logger.warn('APP_ENV=development: development defaults allowed');
  const tracing = await startTracing(config, { serviceName: 'wholesale-orders-api' });
  const db = createApiDb(config.databaseUrl, config.dbPool.api, config.timeouts.dbConnectMs);
  // Lazy: the API starts and answers 503 while Temporal is down, and recovers without a restart.
  const temporal = await connectApiClient(temporalAddress(config), config.temporal.namespace, tracing?.clientInterceptors);
  const api = await startApi({ db, temporal, config, logger });
  logger.info({ url: api.url }, 'api listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void api.stop().then(async () => {
        await temporal.connection.close();
        await db.destroy();
        await tracing?.shutdown();
      });
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
