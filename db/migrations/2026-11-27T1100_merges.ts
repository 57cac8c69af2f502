import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- What a merge moved from each source to the new invoice, so an undo (or a failed merge)
    -- gives back exactly that, and a retried move does nothing.
    create table merge_moves (
      merge_id uuid not null,
      source_invoice_id uuid not null,
      sku text not null references products (sku),
      quantity integer not null check (quantity > 0),
      primary key (merge_id, source_invoice_id, sku)
    );
    alter table invoices add column merged_from jsonb;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table merge_moves; alter table invoices drop column merged_from`.execute(db);
}
