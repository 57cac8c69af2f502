import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { traceQueries } from './tracing.js';

export type Db = Kysely<Database>;

// bigint (int8) values we store are kopecks and counts, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);

export interface PoolOptions {
  /** Give up waiting for a free connection after this long (the pool throws; the API answers 503). */
  acquireTimeoutMs?: number;
  /** Bounds every statement (lock waits included), so an activity attempt cannot outlive its timeout. */
  statementTimeoutMs?: number;
}

export function createDb(connectionString: string, max = 10, { acquireTimeoutMs, statementTimeoutMs }: PoolOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max,
    ...(acquireTimeoutMs ? { connectionTimeoutMillis: acquireTimeoutMs } : {}),
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs, lock_timeout: statementTimeoutMs } : {}),
  });
  // An idle client whose server connection dies (restart, failover, a dropped test database)
  // emits 'error'; the pool discards it and the next query opens a new one. Without a listener
  // Node would crash the process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    // A checked-out client has no pool listener: a server that dies mid-query would crash the process.
    client.on('error', () => undefined);
    traceQueries(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The API's pool: a request that finds every connection busy for `acquireTimeoutMs`
 * (API_DB_CONNECT_TIMEOUT) gets 503 + Retry-After ("timeout exceeded when trying to connect"),
 * instead of queueing for ever.
 */
export function createApiDb(connectionString: string, max: number, acquireTimeoutMs = 2_000): Db {
  return createDb(connectionString, max, { acquireTimeoutMs });
}

/**
 * The worker's pool: activities queue for a connection for up to 25 s, and no statement runs
 * longer than 20 s, so an attempt ends near the 30 s Temporal gives it instead of lingering.
 */
export function createWorkerDb(connectionString: string, max: number): Db {
  return createDb(connectionString, max, { statementTimeoutMs: 20_000, acquireTimeoutMs: 25_000 });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The readiness probe's query: answers when the database does. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
