import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstUnreachableFolder, postgresReachabilityProblem, startEmbeddedPostgres } from '../src/runtime/dev-stack.js';

const base = mkdtempSync(join(tmpdir(), 'wholesale-private-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('embedded PostgreSQL under a private folder', () => {
  const nobody = { uid: 65534, gids: [65534] };

  it('finds the first folder another user cannot enter', () => {
    const open = join(base, 'open', 'data');
    mkdirSync(open, { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(join(base, 'open'), 0o755);
    expect(firstUnreachableFolder(open, nobody)).toBeUndefined();
    const closed = join(base, 'closed');
    mkdirSync(join(closed, 'clone', '.data'), { recursive: true });
    chmodSync(closed, 0o700);
    expect(firstUnreachableFolder(join(closed, 'clone', '.data'), nobody)).toBe(closed);
    expect(firstUnreachableFolder(join(closed, 'clone', 'not-yet'), nobody)).toBe(closed);
    // The owner itself may enter.
    expect(firstUnreachableFolder(join(closed, 'clone'), { uid: process.getuid?.() ?? 0, gids: [] })).toBeUndefined();
  });

  it('names the cause and the fix in one sentence', () => {
    const problem = postgresReachabilityProblem(join(base, 'closed', 'clone', '.data', 'postgres'), nobody);
    expect(problem).toMatch(/^Embedded PostgreSQL cannot start as root here: .*cannot enter .*closed \(mode 0700\).*DATABASE_URL\.$/);
    expect(problem?.split('. ').length).toBe(1);
    expect(postgresReachabilityProblem(join(base, 'open', 'data'), nobody)).toBeUndefined();
  });

  it('as root, refuses at once with that sentence and no stack trace (as a normal user the folder is its own)', async () => {
    const dataDir = join(base, 'closed', 'clone', '.data', 'postgres');
    if (process.getuid?.() === 0) {
      const started = Date.now();
      const error = await startEmbeddedPostgres({ dataDir, persistent: false }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/^Embedded PostgreSQL cannot start as root here/);
      expect(error?.stack).toBe(error?.message);
      expect(Date.now() - started).toBeLessThan(2000);
    } else {
      const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
      await pg.stop();
    }
  });
});
