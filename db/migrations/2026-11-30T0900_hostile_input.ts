import { sql, type Kysely } from 'kysely';

/** Also in core/domain/limits.ts (MAX_CART_LINES); a test checks they agree. */
const MAX_CART_LINES = 500;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Idempotency keys are scoped by operation (method and path) as well as by principal, and a
    -- claim is leased by the request that holds it: it can be taken over only after its lease
    -- lapsed (the process died), never while the request still runs and renews it.
    alter table idempotency_keys
      add column scope text not null default '',
      add column owner uuid,
      add column lease_until timestamptz;
    alter table idempotency_keys drop constraint idempotency_keys_pkey;
    alter table idempotency_keys add primary key (principal, scope, key);

    -- A cart holds at most MAX_CART_LINES lines, however they arrive (PUT, the order form upload):
    -- checkout turns a cart into one invoice, whose workflow state must stay small.
    create function enforce_cart_line_limit() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from cart_items where customer_id = new.customer_id and sku = new.sku) then
        return new; -- an upsert of a line already there
      end if;
      perform pg_advisory_xact_lock(hashtextextended('cart_items:' || new.customer_id::text, 0));
      if (select count(*) from cart_items where customer_id = new.customer_id) >= ${sql.lit(MAX_CART_LINES)} then
        raise exception 'a cart holds at most % lines', ${sql.lit(MAX_CART_LINES)}
          using errcode = 'check_violation', constraint = 'cart_items_max_lines';
      end if;
      return new;
    end
    $fn$;
    create trigger cart_items_max_lines before insert on cart_items
      for each row execute function enforce_cart_line_limit();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger cart_items_max_lines on cart_items;
    drop function enforce_cart_line_limit();
    delete from idempotency_keys where scope <> '';
    alter table idempotency_keys drop constraint idempotency_keys_pkey;
    alter table idempotency_keys drop column scope, drop column owner, drop column lease_until;
    alter table idempotency_keys add primary key (principal, key);
  `.execute(db);
}
