// The Temporal CLI dev server (`temporal server start-dev`) with the search attributes of API.md.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { REQUIRED_SEARCH_ATTRIBUTES, searchAttributeGaps } from '../search-attributes.js';
import { freePort, isPortFree, outputTail, pause, readTail, spawnLogged, stopWithParent } from './processes.js';

/** The search attributes the workflows set (core/contracts/search-attributes.ts), with their types. */
export const DEV_SEARCH_ATTRIBUTES = REQUIRED_SEARCH_ATTRIBUTES;

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
  for (const { name, cli } of DEV_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=${cli}`);
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

/**
 * `--search-attribute` only takes effect when the dev server creates its database, so a dbFile kept
 * from an older run may lack them: add what is missing and wait until the server lists it.
 */
async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const list = async () => (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes;
  const { missing, wrong } = searchAttributeGaps(await list());
  if (wrong.length > 0) throw new Error(`search attributes ${wrong.map((a) => `${a.name} (must be ${a.cli})`).join(', ')} exist with another type`);
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((a) => [a.name, a.indexed])),
  });
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await pause(100)) {
    const now = await list();
    if (missing.every((a) => a.name in now)) return;
  }
  throw new Error(`search attributes ${missing.map((a) => a.name).join(', ')} were added but never listed`);
}
