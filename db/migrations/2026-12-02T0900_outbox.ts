import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox (events for the ERP), its webhook deliveries, and the ERP's stock
 * batches. `seq` is the feed's order: events are appended under one advisory lock held to commit
 * (db/outbox.repository.ts), so a reader never sees seq n+1 before n.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table outbox_events (
      seq bigserial primary key,
      id uuid not null unique,
      type text not null,
      aggregate_type text not null,
      aggregate_id text not null,
      payload jsonb not null,
      created_at timestamptz not null default now()
    );
    create table webhook_endpoints (
      url text primary key,
      fanned_out_seq bigint not null default 0
    );
    create table webhook_deliveries (
      id bigserial primary key,
      endpoint text not null references webhook_endpoints (url),
      event_seq bigint not null references outbox_events (seq),
      aggregate_id text not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'dead', 'skipped')),
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text,
      delivered_at timestamptz,
      updated_at timestamptz not null default now(),
      unique (endpoint, event_seq)
    );
    -- What is due, and what still holds later events of the same aggregate back (the order rule).
    create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
    create index webhook_deliveries_open_idx on webhook_deliveries (endpoint, aggregate_id, event_seq) where status not in ('delivered', 'skipped');
    create table stock_batches (
      batch_id text primary key,
      request_hash text not null,
      result jsonb,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table stock_batches;
    drop table webhook_deliveries;
    drop table webhook_endpoints;
    drop table outbox_events;
  `.execute(db);
}
