// Where the Temporal CLI and test server are run from.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

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
