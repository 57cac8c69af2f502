import { sql, type Kysely } from 'kysely';

/**
 * The operator gauges of GET /metrics (db/metrics.repository.ts) are read on every scrape: these
 * indexes keep each of them an index scan instead of a pass over every invoice, document and
 * email ever written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index invoices_status_idx on invoices (status);
    -- Only the few unfinished documents: ready ones (nearly all) stay out of the index.
    create index documents_unfinished_idx on documents (status, created_at) where status <> 'ready';
    create index email_log_failed_idx on email_log (created_at) where status = 'failed';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index email_log_failed_idx;
    drop index documents_unfinished_idx;
    drop index invoices_status_idx;
  `.execute(db);
}
