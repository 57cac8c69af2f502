import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb, migrateToLatest } from '../../db/database.js';
import { findTemporalBinary, startEmbeddedPostgres, startTemporalDevServer } from '../../runtime/dev-stack.js';
import { WORKFLOWS_PATH } from '../../runtime/worker.js';

export const TEMPLATE_DB = 'wholesale_template';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/**
 * Starts one real PostgreSQL (a migrated template database each test file clones) and one real
 * Temporal dev server for the whole run, and bundles the workflows once.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = join(process.cwd(), '.test-data', `run-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  const pgServer = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), persistent: false });
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = withDatabase(pgServer.url, TEMPLATE_DB);
  const templateDb = createDb(templateUrl, 1);
  await migrateToLatest(templateDb);
  await templateDb.destroy();

  const temporal = await startTemporalDevServer({
    cli: findTemporalBinary('temporal', process.env.TEMPORAL_CLI),
    uiPort: null,
    namespace: 'default',
    logFile: join(root, 'temporal.log'),
  });

  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const workflowBundlePath = join(root, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, code);

  project.provide('databaseUrl', pgServer.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal.stop();
    await pgServer.stop();
    rmSync(root, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
