import type { OrderLineInput, OrderProjection, OrderStatus } from '../core/contracts/order.js';
import { takeFromCart, type CartRow } from './cart.repository.js';
import type { Db } from './database.js';

/** Orders: recorded by checkout, then kept up to date by the order workflow's projection. */

export interface OrderRow {
  id: string;
  status: OrderStatus;
  invoiceId: string | null;
  lines: OrderLineInput[];
  error: string | null;
  createdAt: Date;
}

/** The customer's order; another customer's does not exist. */
export async function findOrder(db: Db, id: string, customerId: string): Promise<OrderRow | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
  return row && { id: row.id, status: row.status, invoiceId: row.invoice_id, lines: row.lines, error: row.error, createdAt: row.created_at };
}

/**
 * Records a placed order and takes its rows out of the cart, in one transaction. A repeat of the
 * same checkout (same order id) leaves the order as it is.
 */
export async function recordPlacedOrder(db: Db, order: { id: string; customerId: string; lines: OrderLineInput[] }, takenRows: CartRow[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('orders')
      .values({ id: order.id, customer_id: order.customerId, status: 'placed', lines: JSON.stringify(order.lines) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await takeFromCart(trx, order.customerId, takenRows);
  });
}

/** The order workflow's view of the order: inserted if checkout has not recorded it yet, else its progress updated. */
export async function projectOrder(db: Db, order: OrderProjection): Promise<void> {
  const row = {
    id: order.id,
    customer_id: order.customerId,
    status: order.status,
    lines: JSON.stringify(order.lines),
    invoice_id: order.invoiceId,
    error: order.error,
  };
  await db
    .insertInto('orders')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ status: row.status, invoice_id: row.invoice_id, error: row.error, updated_at: new Date() }))
    .execute();
}
