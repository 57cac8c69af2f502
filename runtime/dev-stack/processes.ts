// Ports and child processes for the local servers: free ports, and children that never outlive us.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** sleep() typed to resolve to a value, so it can sit in a for-loop's update expression. */
export const pause = async (ms: number): Promise<true> => (await sleep(ms), true);

// ---------------------------------------------------------------------------------------------
// Ports

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

export async function isPortFree(port: number): Promise<boolean> {
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

export function isAlive(pid: number): boolean {
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
 * nothing behind. Call `release()` once the child has stopped. With `group`, the signal goes to the
 * child's whole process group (a child spawned `detached`).
 */
export function stopWithParent(pid: number, signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL', { group = false } = {}): { release(): void } {
  // `kill -1` would signal every process we may signal: never let a bad pid through.
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`refusing to watch pid ${pid}`);
  const target = group ? -pid : pid;
  const watchdog = spawn('sh', ['-c', 'read -r _; kill -s "$1" -- "$2" 2>/dev/null', 'stop-with-parent', signal.slice(3), String(target)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // outside our process group, so a Ctrl+C aimed at us does not kill it first
  });
  watchdog.on('error', () => undefined); // best effort: without `sh` only the exit handler remains
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref(); // the watchdog must not keep our event loop alive
  const onExit = () => {
    try {
      process.kill(target, signal);
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
export function outputTail(maxChars = 4000): { push(chunk: string): void; text(): string } {
  let buffer = '';
  return {
    push(chunk) {
      buffer = (buffer + chunk).slice(-maxChars);
    },
    text: () => buffer.trim(),
  };
}

/** Spawns with output appended to `logFile` (or discarded), keeping a tail in `log` for errors. */
export function spawnLogged(cli: string, args: string[], logFile: string | undefined, log: ReturnType<typeof outputTail>): ChildProcess {
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

export function readTail(file: string, maxChars = 4000): string {
  try {
    return readFileSync(file, 'utf8').slice(-maxChars).trim();
  } catch {
    return '(no log)';
  }
}
