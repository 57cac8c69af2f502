import { createDb, migrateToLatest } from '../db/database.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';

const config = loadConfig();
const logger = createLogger(config.logLevel, 'migrate');
if (!config.databaseUrl) throw new Error('DATABASE_URL is not set');
const db = createDb(config.databaseUrl, 1);
try {
  const applied = await migrateToLatest(db);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
} finally {
  await db.destroy();
}
