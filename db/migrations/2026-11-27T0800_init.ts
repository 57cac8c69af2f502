import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table customers (
      id uuid primary key,
      name text not null,
      email text not null,
      inn text,
      manager_email text not null,
      email_notifications boolean not null default true,
      created_at timestamptz not null default now()
    );
    create index customers_manager_email_idx on customers (lower(manager_email));

    create table products (
      sku text primary key,
      article text not null,
      name text not null,
      characteristic text,
      unit text not null default 'шт',
      price_kopecks bigint not null check (price_kopecks >= 0),
      pieces_per_box integer not null check (pieces_per_box > 0),
      certificate_number text,
      certificate_valid_until date,
      updated_at timestamptz not null default now()
    );
    create index products_article_idx on products (article);

    -- reserved mirrors sum(reservations.quantity); the checks make overselling impossible even if
    -- application code were wrong.
    create table stock (
      sku text primary key references products (sku),
      on_hand integer not null check (on_hand >= 0),
      reserved integer not null default 0 check (reserved >= 0 and reserved <= on_hand),
      updated_at timestamptz not null default now()
    );

    create table reservations (
      invoice_id uuid not null,
      sku text not null references products (sku),
      quantity integer not null check (quantity > 0),
      created_at timestamptz not null default now(),
      primary key (invoice_id, sku)
    );
    create index reservations_sku_idx on reservations (sku, created_at desc);

    create table cart_items (
      customer_id uuid not null references customers (id),
      sku text not null references products (sku),
      quantity integer not null check (quantity > 0),
      updated_at timestamptz not null default now(),
      primary key (customer_id, sku)
    );

    create table orders (
      id uuid primary key,
      customer_id uuid not null references customers (id),
      status text not null,
      lines jsonb not null,
      invoice_id uuid,
      error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index orders_customer_idx on orders (customer_id, created_at desc);

    create table invoices (
      id uuid primary key,
      number text not null unique,
      customer_id uuid not null references customers (id),
      order_id uuid,
      status text not null,
      version integer not null,
      lines jsonb not null,
      total_kopecks bigint not null,
      confirmed_at timestamptz,
      expires_at timestamptz,
      merged_into uuid,
      created_at timestamptz not null,
      updated_at timestamptz not null default now()
    );
    create index invoices_customer_idx on invoices (customer_id, created_at desc, id desc);

    create table invoice_events (
      invoice_id uuid not null,
      seq integer not null,
      at timestamptz not null,
      actor_type text not null,
      actor_id text not null,
      action text not null,
      from_status text,
      to_status text not null,
      details jsonb not null,
      primary key (invoice_id, seq)
    );

    create table number_counters (
      kind text not null,
      year integer not null,
      last integer not null,
      primary key (kind, year)
    );
    create table document_numbers (
      entity_id uuid primary key,
      kind text not null,
      year integer not null,
      seq integer not null,
      number text not null unique
    );

    create table email_log (
      key text primary key,
      kind text not null,
      to_address text not null,
      subject text not null,
      text text not null,
      html text not null,
      status text not null,
      provider_id text,
      created_at timestamptz not null default now()
    );

    create table idempotency_keys (
      principal text not null,
      key text not null,
      request_hash text not null,
      status_code integer,
      response_body text,
      response_headers jsonb,
      created_at timestamptz not null default now(),
      primary key (principal, key)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table idempotency_keys, email_log, document_numbers, number_counters, invoice_events,
      invoices, orders, cart_items, reservations, stock, products, customers;
  `.execute(db);
}
