import { sql, type Kysely } from 'kysely';

/**
 * stock.reserved is kept equal to sum(reservations.quantity) by the database itself: code writes
 * reservations only, a trigger moves stock.reserved with them, and a deferred check refuses any
 * commit that leaves the two apart. Reservations of picked invoices are pinned: a stock cut
 * never touches them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table reservations add column pinned boolean not null default false;
    update reservations r set pinned = true from invoices i
      where i.id = r.invoice_id and i.status in ('to_warehouse', 'assembled');

    -- Earlier code could let the two drift; start from what the reservations say.
    update stock s set reserved = coalesce((select sum(quantity) from reservations r where r.sku = s.sku), 0);

    create function reservations_move_stock() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.sku = old.sku then
        if new.quantity <> old.quantity then
          update stock set reserved = reserved + new.quantity - old.quantity, updated_at = now() where sku = new.sku;
          if not found then raise exception 'no stock row for reserved SKU %', new.sku; end if;
        end if;
        return null;
      end if;
      if tg_op in ('UPDATE', 'DELETE') then
        update stock set reserved = reserved - old.quantity, updated_at = now() where sku = old.sku;
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        update stock set reserved = reserved + new.quantity, updated_at = now() where sku = new.sku;
        if not found then raise exception 'no stock row for reserved SKU %', new.sku; end if;
      end if;
      return null;
    end $$;
    create trigger reservations_move_stock after insert or update or delete on reservations
      for each row execute function reservations_move_stock();

    -- Runs at commit, so it reads the row as committed, not as it was at the event that queued it.
    create function stock_reserved_matches() returns trigger language plpgsql as $$
    declare held bigint; now_reserved integer;
    begin
      select reserved into now_reserved from stock where sku = new.sku;
      select coalesce(sum(quantity), 0) into held from reservations where sku = new.sku;
      if held <> now_reserved then
        raise exception 'stock drift on %: reserved % but reservations hold %', new.sku, now_reserved, held
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;
    create constraint trigger stock_reserved_matches after insert or update on stock
      deferrable initially deferred for each row execute function stock_reserved_matches();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger stock_reserved_matches on stock;
    drop function stock_reserved_matches();
    drop trigger reservations_move_stock on reservations;
    drop function reservations_move_stock();
    alter table reservations drop column pinned;
  `.execute(db);
}
