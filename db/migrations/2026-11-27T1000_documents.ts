import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Requested documents and their files. The bytes live here (bytea), never in Temporal payloads;
    -- list queries name their columns so they never read the content.
    create table documents (
      id uuid primary key,
      customer_id uuid not null references customers (id),
      type text not null,
      status text not null default 'pending',
      params jsonb not null,
      number text,
      file_name text,
      content_type text,
      content bytea,
      size_bytes integer,
      error text,
      created_at timestamptz not null default now(),
      ready_at timestamptz
    );
    create index documents_customer_idx on documents (customer_id, created_at desc, id desc);

    -- Payments registered by managers; a repeated bank reference is the same payment.
    create table payments (
      id uuid primary key,
      customer_id uuid not null references customers (id),
      amount_kopecks bigint not null check (amount_kopecks > 0),
      paid_at date not null,
      reference text not null,
      registered_by text not null,
      created_at timestamptz not null default now(),
      unique (customer_id, reference)
    );
    create index payments_customer_idx on payments (customer_id, paid_at);

    -- Payment orders uploaded by customers, forwarded to their manager.
    create table payment_orders (
      id uuid primary key,
      customer_id uuid not null references customers (id),
      file_name text not null,
      content_type text not null,
      content bytea not null,
      size_bytes integer not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table payment_orders, payments, documents`.execute(db);
}
