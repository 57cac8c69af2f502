// Schema fuzzing: `npm run fuzz` starts the whole system (runtime/start.ts: embedded PostgreSQL, a
// Temporal dev server, demo data, worker and API) in a throwaway DATA_DIR, then runs Schemathesis
// over /openapi.json once per role (customer, manager, warehouse, admin) and fails on any 5xx or
// any response that breaks its documented status, media type, headers or schema.
//
//   npm run fuzz                      # 20 examples per operation (FUZZ_EXAMPLES), all phases
//   FUZZ_EXAMPLES=5 npm run fuzz      # quicker
//
// Schemathesis comes from PyPI into .tools/fuzz-venv on first use (pinned below).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '../api/auth.js';
import { DEMO_USERS } from '../api/demo-users.js';
import { freePort } from '../runtime/dev-stack.js';

const SCHEMATHESIS = 'schemathesis==4.32.5';
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];
const SECRET = 'fuzz-secret-0123456789abcdef-0123456789abcdef';
const root = fileURLToPath(new URL('..', import.meta.url));
const examples = process.env.FUZZ_EXAMPLES ?? '20';

function ensureSchemathesis(): string {
  const venv = join(root, '.tools', 'fuzz-venv');
  const bin = join(venv, 'bin', 'schemathesis');
  if (existsSync(bin)) return bin;
  const python = process.env.PYTHON ?? 'python3';
  for (const args of [
    ['-m', 'venv', venv],
    [join(venv, 'bin', 'pip'), 'install', '--quiet', SCHEMATHESIS],
  ]) {
    const [cmd, ...rest] = args[0] === '-m' ? [python, ...args] : args;
    const run = spawnSync(cmd ?? python, rest, { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`could not install ${SCHEMATHESIS} (${cmd ?? ''} ${rest.join(' ')})`);
  }
  return bin;
}

async function waitReady(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}\n${log()}`);
    const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the system did not become ready in 180 s\n${log()}`);
}

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number; content?: { mimeType?: string } };
}

async function main(): Promise<number> {
  const schemathesis = ensureSchemathesis();
  const dataDir = mkdtempSync(join(tmpdir(), 'wholesale-fuzz-'));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres` and must reach it
  const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
  const base = `http://127.0.0.1:${ports.api}`;
  let output = '';
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['runtime/start.ts'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      AUTH_JWT_SECRET: SECRET,
      // The fuzzer sends thousands of writes per token; the limit itself is tested in test/.
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.once('SIGINT', stop);
  try {
    await waitReady(base, child, () => output);
    const roles = new Map<string, string>();
    for (const { user } of DEMO_USERS) if (!roles.has(user.role)) roles.set(user.role, await signToken(SECRET, user));
    const totals = { responses: 0, serverErrors: 0, failures: 0 };
    const statuses = new Map<number, number>();
    const failedRoles: string[] = [];
    for (const [role, token] of roles) {
      const reportDir = join(dataDir, `report-${role}`);
      const logFile = join(dataDir, `schemathesis-${role}.log`);
      console.log(`\n=== ${role}: schemathesis, ${examples} examples per operation ===`);
      const run = spawnSync(
        schemathesis,
        [
          'run',
          `${base}/openapi.json`,
          '--header',
          `Authorization: Bearer ${token}`,
          '--checks',
          CHECKS.join(','),
          '--max-examples',
          examples,
          '--seed',
          process.env.FUZZ_SEED ?? '20261130',
          '--request-timeout',
          '30',
          '--report',
          'har,junit',
          '--report-dir',
          reportDir,
          '--continue-on-failure',
          '--suppress-health-check',
          'all',
        ],
        // cwd: Schemathesis keeps a .schemathesis cache folder in its working directory. Its own
        // report goes to a log file: its pytest-like banners would make CI read it as the test
        // runner's closing summary, so only our counts (and the log's tail on a failure) are printed.
        { stdio: ['ignore', openSync(logFile, 'w'), 'inherit'], cwd: dataDir, env: { ...process.env, NO_COLOR: '1' } },
      );
      if (run.status !== 0) console.log(readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n'));
      const harFile = join(reportDir, readdirHar(reportDir));
      const entries = (JSON.parse(readFileSync(harFile, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
      const serverErrors = entries.filter((e) => e.response.status >= 500);
      for (const e of entries) statuses.set(e.response.status, (statuses.get(e.response.status) ?? 0) + 1);
      totals.responses += entries.length;
      totals.serverErrors += serverErrors.length;
      if (run.status !== 0) totals.failures++;
      if (run.status !== 0 || serverErrors.length > 0) failedRoles.push(role);
      console.log(
        `${role}: ${entries.length} responses, ${serverErrors.length} 5xx, schemathesis exit ${run.status ?? 'signal'} (FUZZ_KEEP=1 keeps its log, ${logFile})`,
      );
      for (const e of serverErrors.slice(0, 10)) console.log(`  5xx: ${e.response.status} ${e.request.method} ${e.request.url}`);
    }
    const byStatus = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    console.log(`\nfuzz: ${totals.responses} responses (${byStatus}); ${totals.serverErrors} 5xx; roles with failed checks: ${totals.failures}`);
    // The plain closing line CI reads, a role each: one with a 5xx or a failed check has failed.
    console.log(`fuzz: ${roles.size - failedRoles.length} passed, ${failedRoles.length} failed`);
    if (process.env.CI_COUNTS_FILE) appendFileSync(process.env.CI_COUNTS_FILE, `${roles.size - failedRoles.length} ${failedRoles.length} 0\n`);
    return totals.serverErrors === 0 && totals.failures === 0 ? 0 : 1;
  } finally {
    stop();
    await new Promise((r) => setTimeout(r, 3000));
    if (!process.env.FUZZ_KEEP) rmSync(dataDir, { recursive: true, force: true });
  }
}

function readdirHar(dir: string): string {
  const found = readdirSync(dir).find((f) => f.startsWith('har-'));
  if (!found) throw new Error(`no HAR report in ${dir}`);
  return found;
}

process.exitCode = await main();
