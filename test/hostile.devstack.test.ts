import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstUnreachableFolder, postgresReachabilityProblem, startEmbeddedPostgres } from '../runtime/dev-stack.js';

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

  it('as root, starts from under a private folder by letting postgres through it (enter only)', async () => {
    const dataDir = join(base, 'closed', 'clone', '.data', 'postgres');
    if (process.getuid?.() === 0) {
      const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
      await pg.stop();
      expect(statSync(join(base, 'closed')).mode & 0o007).toBe(0o001);
    } else {
      const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
      await pg.stop();
    }
  });
});
