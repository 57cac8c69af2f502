import { sql } from 'kysely';
import type { Db } from './database.js';

/** The customer's cart: one row per SKU. */

export interface CartRow {
  sku: string;
  quantity: number;
  /** The row's last write, as PostgreSQL prints it (microseconds kept). */
  written: string;
}

/** The cart's lines, oldest first. */
export function cartItems(db: Db, customerId: string): Promise<{ sku: string; quantity: number }[]> {
  return db.selectFrom('cart_items').select(['sku', 'quantity']).where('customer_id', '=', customerId).orderBy('updated_at').orderBy('sku').execute();
}

/** The cart's lines with when each was last written, for a checkout to take exactly these. */
export function cartRows(db: Db, customerId: string): Promise<CartRow[]> {
  return db
    .selectFrom('cart_items')
    .select(['sku', 'quantity', sql<string>`updated_at::text`.as('written')])
    .where('customer_id', '=', customerId)
    .orderBy('updated_at')
    .orderBy('sku')
    .execute();
}

export async function setCartItem(db: Db, customerId: string, sku: string, quantity: number): Promise<void> {
  await db
    .insertInto('cart_items')
    .values({ customer_id: customerId, sku, quantity })
    .onConflict((oc) => oc.columns(['customer_id', 'sku']).doUpdateSet({ quantity, updated_at: sql`now()` }))
    .execute();
}

export async function removeCartItem(db: Db, customerId: string, sku: string): Promise<void> {
  await db.deleteFrom('cart_items').where('customer_id', '=', customerId).where('sku', '=', sku).execute();
}

export async function clearCart(db: Db, customerId: string): Promise<void> {
  await db.deleteFrom('cart_items').where('customer_id', '=', customerId).execute();
}

/** Removes the rows a checkout took; a row the customer changed since stays in the cart. `db` may be a transaction. */
export async function takeFromCart(db: Db, customerId: string, rows: CartRow[]): Promise<void> {
  await db
    .deleteFrom('cart_items')
    .where('customer_id', '=', customerId)
    .where((eb) => eb.or(rows.map((r) => eb.and([eb('sku', '=', r.sku), eb(sql<string>`updated_at::text`, '=', r.written)]))))
    .execute();
}

/** Applies an uploaded order form in one transaction: the cart gets the whole file's valid rows or none of them. */
export async function applyOrderForm(
  db: Db,
  customerId: string,
  { set, removed }: { set: { sku: string; quantity: number }[]; removed: { sku: string }[] },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (set.length) {
      await trx
        .insertInto('cart_items')
        .values(set.map((l) => ({ customer_id: customerId, sku: l.sku, quantity: l.quantity })))
        .onConflict((oc) => oc.columns(['customer_id', 'sku']).doUpdateSet({ quantity: (eb) => eb.ref('excluded.quantity'), updated_at: sql`now()` }))
        .execute();
    }
    if (removed.length)
      await trx
        .deleteFrom('cart_items')
        .where('customer_id', '=', customerId)
        .where(
          'sku',
          'in',
          removed.map((l) => l.sku),
        )
        .execute();
  });
}
