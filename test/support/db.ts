import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../db/database.js';
import { TEMPLATE_DB, withDatabase } from './global-setup.js';

export interface TestDb {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the run's template: each test file gets its own. */
export async function createTestDb(): Promise<TestDb> {
  const serverUrl = inject('databaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const db = createDb(url, 20);
  return {
    db,
    url,
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
