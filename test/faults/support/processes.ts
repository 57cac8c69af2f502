// Child processes of the fault suite: the API and the worker exactly as production runs them
// (`runtime/server.ts`, `runtime/worker.ts` with the tsx loader), configured only by environment, each in
// its own process group so a SIGKILL reaches all of it and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopWithParent } from '../../../runtime/dev-stack/processes.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // A negative pid signals the group; never let 0 or a bad value through (that would hit us).
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export interface ManagedProcess {
  readonly name: string;
  /** The pid of the current incarnation, undefined while stopped. */
  pid(): number | undefined;
  running(): boolean;
  /** Starts (again) and resolves once `ready` says so; the log file keeps every incarnation. */
  start(): Promise<void>;
  /** SIGKILL to the whole process group: no drain, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** The last output lines, for failure messages. */
  tail(): string;
  /** How many times this process has been started. */
  starts(): number;
  /** Exits nobody asked for (a crash), each with the output that preceded it. */
  crashes(): string[];
}

export interface ProcessSpec {
  name: string;
  /** Entry file relative to the repository, run as `node --import tsx <entry>`. */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  /** Resolves when the fresh incarnation is usable; `output()` is its output so far. */
  ready(output: () => string): Promise<boolean>;
  readyTimeoutMs?: number;
}

export function managedProcess(spec: ProcessSpec): ManagedProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let tail = '';
  let current = '';
  let count = 0;
  let expectingExit = false;
  const crashes: string[] = [];
  const log: WriteStream = createWriteStream(spec.logFile, { flags: 'a' });

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  async function waitExit(): Promise<void> {
    await exited;
  }

  return {
    name: spec.name,
    pid: () => (running() ? child?.pid : undefined),
    running,
    starts: () => count,
    crashes: () => [...crashes],
    tail: () => tail,
    async start() {
      if (running()) throw new Error(`${spec.name} is already running`);
      count += 1;
      current = '';
      expectingExit = false;
      log.write(`\n===== ${spec.name} start #${count} at ${new Date().toISOString()} =====\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, ...spec.env };
      const proc = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child = proc;
      const pid = proc.pid;
      if (pid === undefined) throw new Error(`${spec.name}: spawn failed`);
      // However this test process ends (even SIGKILLed by vitest), the child's group goes with it.
      const guard = stopWithParent(pid, 'SIGKILL', { group: true });
      exited = new Promise((resolve) =>
        proc.once('exit', (code, signal) => {
          guard.release();
          log.write(`===== ${spec.name} (pid ${pid}) exited: ${code ?? signal} =====\n`);
          if (!expectingExit)
            crashes.push(`${spec.name} (pid ${pid}) exited by itself with ${code ?? signal} at ${new Date().toISOString()}:\n${tail.slice(-3000)}`);
          resolve();
        }),
      );
      const keep = (chunk: Buffer) => {
        const text = chunk.toString();
        log.write(text);
        tail = (tail + text).slice(-6000);
        current = (current + text).slice(-200_000);
      };
      proc.stdout?.on('data', keep);
      proc.stderr?.on('data', keep);

      const timeout = spec.readyTimeoutMs ?? 120_000;
      for (const deadline = Date.now() + timeout; ;) {
        if (!running()) throw new Error(`${spec.name} exited before it was ready:\n${tail}`);
        if (await spec.ready(() => current).catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${spec.name} not ready after ${timeout / 1000} s:\n${tail}`);
        await sleep(250);
      }
    },
    async kill() {
      const pid = child?.pid;
      if (!running() || pid === undefined) return;
      expectingExit = true;
      signalGroup(pid, 'SIGKILL');
      await waitExit();
    },
    async stop() {
      const pid = child?.pid;
      if (!running() || pid === undefined) return;
      expectingExit = true;
      signalGroup(pid, 'SIGTERM');
      const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 15_000);
      await waitExit();
      clearTimeout(killer);
    },
  };
}
