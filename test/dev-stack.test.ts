// The local stack `npm start` and the tests stand on: the real Temporal CLI dev server and the
// embedded PostgreSQL binaries, each started, restarted on its persisted state, and stopped.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SEARCH_ATTRIBUTES, findTemporalBinary, freePort, startEmbeddedPostgres, startTemporalDevServer } from '../runtime/dev-stack.js';

const slow = { timeout: 120_000 };
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'dev-stack-'));
  // mkdtemp makes it 0700; as root, PostgreSQL runs as the `postgres` user, which must get in.
  await chmod(workDir, 0o755);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function customSearchAttributes(address: string, namespace: string): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address });
  try {
    const response = await connection.operatorService.listSearchAttributes({ namespace });
    return { ...response.customAttributes };
  } finally {
    await connection.close();
  }
}

const registered = Object.fromEntries(DEV_SEARCH_ATTRIBUTES.map(({ name, indexed }) => [name, indexed]));

describe('startTemporalDevServer', () => {
  const cli = findTemporalBinary('temporal');

  it('registers the search attributes (Keyword, DeleteAt as Datetime) and keeps them across restarts', slow, async () => {
    const dbFile = path.join(workDir, 'temporal', 'restart.db');
    const namespace = 'wholesale-test'; // not "default": the attributes must land in the configured one

    const first = await startTemporalDevServer({ cli, dbFile, namespace, logFile: path.join(workDir, 'temporal-1.log') });
    try {
      expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(first.uiUrl).toBeNull();
      expect(await customSearchAttributes(first.address, namespace)).toMatchObject(registered);
    } finally {
      await first.stop();
    }
    await expect(Connection.connect({ address: first.address, connectTimeout: 500 })).rejects.toThrow();

    const second = await startTemporalDevServer({ cli, dbFile, namespace });
    try {
      expect(await customSearchAttributes(second.address, namespace)).toMatchObject(registered);
    } finally {
      await second.stop();
    }
  });

  it('adds the search attributes to a database file created by an older run without them', slow, async () => {
    // `--search-attribute` only applies when the dev server creates its database.
    const dbFile = path.join(workDir, 'temporal', 'old.db');
    const port = await freePort();
    const old = spawn(cli, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--db-filename', dbFile], {
      stdio: 'ignore',
    });
    try {
      const address = `127.0.0.1:${port}`;
      for (let ready = false; !ready;) {
        ready = await Connection.connect({ address, connectTimeout: 1_000 }).then(
          async (connection) => {
            await connection.close();
            return true;
          },
          () => sleep(100).then(() => false),
        );
      }
      expect(Object.keys(await customSearchAttributes(address, 'default'))).not.toContain('CustomerId');
    } finally {
      old.kill('SIGTERM');
      await once(old, 'exit');
    }

    const server = await startTemporalDevServer({ cli, dbFile, namespace: 'default' });
    try {
      expect(await customSearchAttributes(server.address, 'default')).toMatchObject(registered);
    } finally {
      await server.stop();
    }
  });

  it('refuses a busy port instead of mistaking the other server for its own', slow, async () => {
    const busy = await startTemporalDevServer({ cli, namespace: 'default' });
    try {
      const port = Number(busy.address.split(':')[1]);
      await expect(startTemporalDevServer({ cli, namespace: 'default', port })).rejects.toThrow(`port ${port} on 127.0.0.1 is busy`);
    } finally {
      await busy.stop();
    }
  });

  it('fails fast with the server output when the server cannot start', slow, async () => {
    const started = Date.now();
    // A directory is not a usable SQLite file: the server exits at once.
    await expect(startTemporalDevServer({ cli, namespace: 'default', dbFile: workDir })).rejects.toThrow(
      /exited \(1\) before it was ready:[\s\S]*unable to open database file/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('startEmbeddedPostgres', () => {
  async function query(url: string, sql: string): Promise<unknown[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('starts, answers, stops, and starts again on the same data directory with its data', slow, async () => {
    const dataDir = path.join(workDir, 'pg');

    const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'wholesale_test' });
    try {
      expect(first.url).toMatch(/^postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/wholesale_test$/);
      expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      await query(first.url, "create table kept (note text); insert into kept values ('from the first run')");
    } finally {
      await first.stop();
    }
    await expect(query(first.url, 'select 1')).rejects.toThrow();

    // Re-running initdb would fail on the non-empty directory or wipe the table; the row proves neither happened.
    const second = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'wholesale_test' });
    try {
      expect(await query(second.url, 'select note from kept')).toEqual([{ note: 'from the first run' }]);
    } finally {
      await second.stop();
    }
  });
});
