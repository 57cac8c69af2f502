// What every bench scenario gets: the real system as separate processes (embedded PostgreSQL, a
// Temporal dev server, one worker and one API process, the fake email provider), plus a floor
// worker in the bench process running no-op workflows on the same Temporal server.
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Db } from '../../db/database.js';
import { freePort } from '../../runtime/dev-stack.js';
import { startSystem, type FaultSystem } from '../../test/faults/support/system.js';
import { caller, tokenFor, type Call } from '../../test/faults/support/http.js';
import type { User } from '../../api/auth.js';
import type { Summary } from './stats.js';

export const FLOOR_QUEUE = 'bench-floor';
/** The worker's sticky cache, set explicitly so B4 knows which invoices fell out of it. */
export const WORKER_CACHE = Number(process.env.BENCH_WORKER_CACHE ?? 2000);

export interface BenchContext {
  system: FaultSystem;
  db: Db;
  /** The API's base URL. */
  api: string;
  /** A client on the system's Temporal server (for the floors and for counting history events). */
  temporal: Client;
  rounds: number;
  /** The worker's Temporal SDK metrics (Prometheus text). */
  workerMetrics(): Promise<string>;
  /** An HTTP caller signed as `user`. */
  as(user: User): Promise<Call>;
  log(message: string): void;
}

/** One line of the bench's table. */
export interface ScenarioResult {
  id: string;
  scenario: string;
  unit: string;
  figure: Summary;
  floor: Summary;
  /** The ratio the goal is stated in; `ratioMeaning` says which way it is taken. */
  ratio: number;
  ratioMeaning: string;
  goal: string;
  met: boolean;
  /** Counts an operator reads beside the figure: activities per order, round trips per request, … */
  counts?: Record<string, number | string>;
}

export interface Scenario {
  id: string;
  run(ctx: BenchContext): Promise<ScenarioResult[]>;
}

export async function startBench(rounds: number, log: (m: string) => void): Promise<{ ctx: BenchContext; stop(): Promise<void> }> {
  log('starting PostgreSQL, Temporal, a worker and an API process');
  const metricsPort = await freePort();
  const system = await startSystem({
    name: 'bench',
    env: { RATE_LIMIT_WRITES_PER_MINUTE: '0', WORKER_MAX_CACHED_WORKFLOWS: String(WORKER_CACHE), WORKER_METRICS_PORT: String(metricsPort) },
  });
  const connection = await Connection.connect({ address: system.temporal.address });
  const temporal = new Client({ connection, namespace: 'default' });
  // The floor worker's own start-up chatter would bury the table.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const workerConnection = await NativeConnection.connect({ address: system.temporal.address });
  const floorWorker = await Worker.create({
    connection: workerConnection,
    namespace: 'default',
    taskQueue: FLOOR_QUEUE,
    workflowsPath: fileURLToPath(new URL('../floor.workflows.ts', import.meta.url)),
  });
  const floorDone = floorWorker.run();
  const ctx: BenchContext = {
    system,
    db: system.db,
    api: system.apiUrls[0] ?? '',
    temporal,
    rounds,
    workerMetrics: () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()),
    as: async (user) => caller(system.apiUrls[0] ?? '', await tokenFor(user)),
    log,
  };
  return {
    ctx,
    async stop() {
      floorWorker.shutdown();
      await floorDone;
      await workerConnection.close();
      await connection.close();
      await system.stop();
    },
  };
}
