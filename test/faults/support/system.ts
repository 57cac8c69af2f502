// The real system as separate OS processes, each of which a fault case can kill and restart:
// an embedded PostgreSQL on a persistent data directory, a Temporal dev server on a persisted
// SQLite file, N workers (`runtime/worker.ts`) and M API processes (`runtime/server.ts`), and the fake
// Resend the workers send through. Only the fake runs inside the test process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Db } from '../../../db/database.js';
import { findTemporalBinary, freePort, startEmbeddedPostgres, startTemporalDevServer } from '../../../runtime/dev-stack.js';
import { startFakeResend, type FakeResend } from '../../support/fake-resend.js';
import { bailWhen, FAULT_SECRET } from './http.js';
import { managedProcess, repoRoot, type ManagedProcess } from './processes.js';

export { FAULT_SECRET };

export interface LocalServer {
  running(): boolean;
  start(): Promise<void>;
  /** Graceful stop (PostgreSQL: fast shutdown; Temporal: SIGTERM). */
  stop(): Promise<void>;
}

export interface LocalPostgres extends LocalServer {
  url: string;
  /** SIGKILL to the postmaster: a crash, not a shutdown. */
  kill(): Promise<void>;
}

export interface LocalTemporal extends LocalServer {
  address: string;
}

export interface FaultSystem {
  root: string;
  /** A small pool in the test process, for fixtures and invariants only. */
  db: Db;
  resend: FakeResend;
  postgres: LocalPostgres;
  temporal: LocalTemporal;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  apiUrls: string[];
  /** The output tails of every process, for failure messages; crashes first. */
  diagnostics(): string;
  /** Worker and API processes that exited without being told to (each with its last output). */
  crashes(): string[];
  stop(): Promise<void>;
}

export interface SystemOptions {
  name: string;
  workers?: number;
  apis?: number;
  /** Extra environment for the API and worker processes (INVOICE_TTL, ...). */
  env?: Record<string, string>;
  /** Runs once the database is migrated, before any worker or API starts. */
  fixtures?: (db: Db) => Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function localPostgres(dataDir: string, port: number): Promise<LocalPostgres> {
  let handle: { url: string; stop(): Promise<void> } | undefined;
  const pidOf = () => {
    const file = join(dataDir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  };
  const start = async () => {
    // After a SIGKILL the old backends may hold shared memory for a moment: retry for a while.
    let last: unknown;
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        handle = await startEmbeddedPostgres({ dataDir, port, persistent: true });
        if (!handle.url.includes(`:${port}/`)) throw new Error(`PostgreSQL came up on another port than ${port}: ${handle.url}`);
        return;
      } catch (error) {
        last = error;
        await sleep(1_000);
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  };
  await start();
  const url = handle?.url ?? '';
  return {
    url,
    running: () => {
      const pid = pidOf();
      return pid !== undefined && isAlive(pid);
    },
    start,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
    async kill() {
      const pid = pidOf();
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      for (const deadline = Date.now() + 10_000; pid !== undefined && isAlive(pid) && Date.now() < deadline;) await sleep(50);
      await handle?.stop(); // releases the stop-with-parent guard; the server is already gone
      handle = undefined;
    },
  };
}

async function localTemporal(root: string, port: number): Promise<LocalTemporal> {
  let handle: { stop(): Promise<void> } | undefined;
  const start = async () => {
    handle = await startTemporalDevServer({
      cli: findTemporalBinary('temporal', process.env.TEMPORAL_CLI),
      dbFile: join(root, 'temporal.db'),
      port,
      uiPort: null,
      namespace: 'default',
      logFile: join(root, 'temporal.log'),
    });
  };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    running: () => handle !== undefined,
    start,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
  };
}

async function runOnce(entry: string, env: Record<string, string>, logFile: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${entry} exited with ${code} (log ${logFile}):\n${output.slice(-4000)}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startSystem(opts: SystemOptions): Promise<FaultSystem> {
  const root = join(repoRoot, '.test-data', `faults-${opts.name}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  const postgres = await localPostgres(join(root, 'pg'), await freePort());
  const temporal = await localTemporal(root, await freePort());
  const resend = await startFakeResend();
  const baseEnv: Record<string, string> = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'orders',
    AUTH_JWT_SECRET: FAULT_SECRET,
    // The demo supplier details are fine here; production refuses them.
    APP_ENV: 'development',
    RESEND_API_KEY: 're_fault_suite',
    RESEND_BASE_URL: resend.url,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  await runOnce('runtime/migrate.ts', baseEnv, join(root, 'migrate.log'));
  const db = createDb(postgres.url, 4);
  await opts.fixtures?.(db);

  const workers = Array.from({ length: opts.workers ?? 1 }, (_, i) =>
    managedProcess({
      name: `worker-${i + 1}`,
      entry: 'runtime/worker.ts',
      env: { ...baseEnv, PORT: '0' },
      logFile: join(root, `worker-${i + 1}.log`),
      ready: (output) => Promise.resolve(output().includes('"msg":"worker started"')),
    }),
  );
  const apiPorts = await Promise.all(Array.from({ length: opts.apis ?? 1 }, () => freePort()));
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const apis = apiPorts.map((port, i) =>
    managedProcess({
      name: `api-${i + 1}`,
      entry: 'runtime/server.ts',
      env: { ...baseEnv, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
      logFile: join(root, `api-${i + 1}.log`),
      ready: () => answers(`http://127.0.0.1:${port}/healthz`),
    }),
  );
  // One at a time: each worker bundles the workflows, which is CPU-bound on two cores.
  for (const p of [...workers, ...apis]) await p.start();

  // A crashed process fails the case at once, with its output, rather than after every timeout.
  bailWhen(() => {
    const crashed = [...workers, ...apis].filter((p) => p.crashes().length > 0);
    return crashed.length > 0 ? `${crashed.map((p) => p.name).join(', ')} crashed (see the diagnostics)` : undefined;
  });
  const temporalLogTail = () => {
    try {
      return readFileSync(join(root, 'temporal.log'), 'utf8').slice(-3000);
    } catch {
      return '(none)';
    }
  };

  return {
    root,
    db,
    resend,
    postgres,
    temporal,
    workers,
    apis,
    apiUrls,
    crashes: () => [...workers, ...apis].flatMap((p) => p.crashes()),
    diagnostics: () =>
      [...workers, ...apis].flatMap((p) => p.crashes().map((c) => `!!! CRASH: ${c}`)).join('\n') +
      '\n' +
      [...workers, ...apis].map((p) => `--- ${p.name} (${p.starts()} starts) ---\n${p.tail()}`).join('\n') +
      `\n--- temporal.log ---\n${temporalLogTail()}`,
    async stop() {
      await Promise.all(apis.map((p) => p.stop()));
      await Promise.all(workers.map((p) => p.stop()));
      await resend.close();
      await db.destroy();
      await temporal.stop();
      await postgres.stop();
      if (!process.env.FAULTS_KEEP_DATA) rmSync(root, { recursive: true, force: true });
    },
  };
}
