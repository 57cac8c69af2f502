import { sql, type Kysely } from 'kysely';

/**
 * The waitlist ("сообщить о поступлении"): a customer's place in line for a SKU, and the hold an
 * offer makes. A hold is a row of `reservations` keyed by the entry's id, so `stock.reserved`
 * counts it like any reservation and the stock checks cover it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table waitlist_entries (
      id uuid primary key,
      seq bigserial not null unique,
      customer_id uuid not null references customers (id),
      sku text not null references products (sku),
      quantity integer not null check (quantity > 0 and quantity <= 1000000),
      status text not null default 'waiting'
        check (status in ('waiting', 'offered', 'claimed', 'cancelled', 'lapsed', 'expired')),
      held integer not null default 0 check (held >= 0),
      offered_at timestamptz,
      hold_until timestamptz,
      wait_until timestamptz not null,
      -- The invoice the customer asked from, and the one a claim put the pieces into.
      invoice_id uuid,
      claimed_invoice_id uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- One place in line per customer and SKU.
    create unique index waitlist_active_idx on waitlist_entries (customer_id, sku) where status in ('waiting', 'offered');
    create index waitlist_queue_idx on waitlist_entries (sku, seq) where status in ('waiting', 'offered');
    create index waitlist_customer_idx on waitlist_entries (customer_id, created_at desc);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists waitlist_entries;
  `.execute(db);
}
