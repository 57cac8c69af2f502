import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table invoices add column boxes jsonb, add column realization_id uuid, add column realization_number text;

    -- One realization per shipped invoice: the unique invoice_id makes the shipment commit idempotent.
    create table realizations (
      id uuid primary key,
      invoice_id uuid not null unique,
      number text not null unique,
      customer_id uuid not null references customers (id),
      shipped_at timestamptz not null,
      lines jsonb not null,
      boxes jsonb not null,
      total_kopecks bigint not null
    );
    create index realizations_customer_idx on realizations (customer_id, shipped_at desc);

    -- Stock corrections by id, so a retried correction returns what it did instead of cutting twice.
    create table stock_corrections (
      id uuid primary key,
      sku text not null references products (sku),
      on_hand integer not null,
      affected jsonb not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stock_corrections, realizations;
    alter table invoices drop column boxes, drop column realization_id, drop column realization_number`.execute(db);
}
