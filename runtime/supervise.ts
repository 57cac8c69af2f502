// Supervision of the local servers `npm start` runs itself (runtime/start.ts): an embedded PostgreSQL
// or a Temporal dev server that dies is started again on the same port and the same data, so the
// worker's and the API's connections (which reconnect on their own) find it where they left it.
// Node zone only.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';
import { startEmbeddedPostgres, startTemporalDevServer } from './dev-stack.js';

export interface SuperviseOptions {
  name: string;
  logger: Logger;
  /** Whether the server is still there; a probe that cannot tell should say true. */
  alive(): Promise<boolean>;
  /** Cleans up what is left of the dead server and starts it again; throws when it cannot. */
  restart(): Promise<void>;
  /** Time between probes. */
  intervalMs?: number;
  /** Consecutive failed probes before a restart: one refused connection is not a death. */
  failuresBeforeRestart?: number;
}

/**
 * Probes a server every `intervalMs` and restarts it after `failuresBeforeRestart` failed probes in
 * a row; a failed restart is retried with back-off (up to 30 s apart) until it works or `stop()`.
 */
export function supervise(opts: SuperviseOptions): { stop(): Promise<void> } {
  const interval = opts.intervalMs ?? 1_000;
  const threshold = opts.failuresBeforeRestart ?? 3;
  const abort = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);
  const stopped = () => abort.signal.aborted;

  const loop = (async () => {
    let failures = 0;
    while (!stopped()) {
      await pause(interval);
      if (stopped()) break;
      failures = (await opts.alive().catch(() => false)) ? 0 : failures + 1;
      if (failures < threshold) continue;
      opts.logger.error({ server: opts.name }, `${opts.name} is gone: starting it again`);
      for (let backoff = 1_000; !stopped(); backoff = Math.min(backoff * 2, 30_000)) {
        try {
          await opts.restart();
          opts.logger.info({ server: opts.name }, `${opts.name} restarted`);
          break;
        } catch (err) {
          opts.logger.error({ server: opts.name, err }, `${opts.name} could not be restarted; trying again in ${backoff / 1000} s`);
          await pause(backoff);
        }
      }
      failures = 0;
    }
  })();

  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

/** True unless connecting to 127.0.0.1:port is refused (a timeout means busy, not dead). */
export function portAnswers(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function postmasterAlive(dataDir: string): boolean {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, run as the postgres user
  }
}

/**
 * {@link startEmbeddedPostgres} under supervision: when the postmaster dies it is started again on
 * the same data directory and port (so the URL stays valid). `stop()` ends the supervision first.
 */
export async function superviseEmbeddedPostgres(
  logger: Logger,
  opts: Parameters<typeof startEmbeddedPostgres>[0],
  supervision: Partial<Pick<SuperviseOptions, 'intervalMs' | 'failuresBeforeRestart'>> = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  let server = await startEmbeddedPostgres(opts);
  const url = server.url;
  const port = Number(new URL(url).port);
  const dataDir = path.resolve(opts.dataDir);
  const watch = supervise({
    name: 'embedded PostgreSQL',
    logger,
    ...supervision,
    alive: () => Promise.resolve(postmasterAlive(dataDir)),
    async restart() {
      await server.stop(); // releases the old guards; PostgreSQL itself is already gone
      // Another port would strand every pool holding the URL: wait for ours instead.
      if (await portAnswers('127.0.0.1', port, 500)) throw new Error(`port ${port} is still taken`);
      const next = await startEmbeddedPostgres({ ...opts, port });
      if (next.url !== url) {
        await next.stop();
        throw new Error(`PostgreSQL came back on ${next.url}, not ${url}`);
      }
      server = next;
    },
  });
  return {
    url,
    async stop() {
      await watch.stop();
      await server.stop();
    },
  };
}

/**
 * {@link startTemporalDevServer} under supervision: when the dev server dies it is started again
 * on the same port with the same database file, so its workflows and timers carry on.
 */
export async function superviseTemporalDevServer(
  logger: Logger,
  opts: Parameters<typeof startTemporalDevServer>[0],
  supervision: Partial<Pick<SuperviseOptions, 'intervalMs' | 'failuresBeforeRestart'>> = {},
): Promise<Awaited<ReturnType<typeof startTemporalDevServer>>> {
  let server = await startTemporalDevServer(opts);
  const { address, uiUrl } = server;
  const port = Number(address.split(':').pop());
  const watch = supervise({
    name: 'Temporal dev server',
    logger,
    ...supervision,
    alive: () => portAnswers('127.0.0.1', port),
    async restart() {
      await server.stop();
      server = await startTemporalDevServer({ ...opts, port });
    },
  });
  return {
    address,
    uiUrl,
    async stop() {
      await watch.stop();
      await server.stop();
    },
  };
}
