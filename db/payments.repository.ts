import { sql } from 'kysely';
import { formatRoubles } from '../core/domain/money.js';
import type { Db } from './database.js';
import { appendEvents } from './outbox.repository.js';

/** Payments a manager registered, and payment orders customers uploaded. Reads are scoped by customer. */

export interface PaymentData {
  id: string;
  amountKopecks: number;
  paidAt: string;
  reference: string;
}

export async function loadPayments(db: Db, customerId: string): Promise<PaymentData[]> {
  const rows = await db
    .selectFrom('payments')
    .select(['id', 'amount_kopecks', sql<string>`to_char(paid_at, 'YYYY-MM-DD')`.as('paid_at'), 'reference'])
    .where('customer_id', '=', customerId)
    .orderBy('paid_at')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, amountKopecks: Number(r.amount_kopecks), paidAt: r.paid_at, reference: r.reference }));
}

/** Registers a payment once per (customer, reference); returns the stored payment and whether it is new. */
export async function registerPayment(
  db: Db,
  p: { id: string; customerId: string; amountKopecks: number; paidAt: string; reference: string; registeredBy: string },
): Promise<{ payment: PaymentData; created: boolean }> {
  const inserted = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('payments')
      .values({
        id: p.id,
        customer_id: p.customerId,
        amount_kopecks: p.amountKopecks,
        paid_at: p.paidAt,
        reference: p.reference,
        registered_by: p.registeredBy,
      })
      .onConflict((oc) => oc.columns(['customer_id', 'reference']).doNothing())
      .returning('id')
      .executeTakeFirst();
    // Only the insert that registered it reports it: the reference is the payment's identity.
    if (row) {
      await appendEvents(trx, [
        {
          key: `payment/${p.customerId}/${p.reference}`,
          type: 'payment.recorded.v1',
          aggregate: { type: 'customer', id: p.customerId },
          data: { paymentId: p.id, customerId: p.customerId, amount: formatRoubles(p.amountKopecks), paidAt: p.paidAt, reference: p.reference },
        },
      ]);
    }
    return row;
  });
  const stored = (await loadPayments(db, p.customerId)).find((x) => x.reference === p.reference);
  if (!stored) throw new Error('payment vanished after insert');
  return { payment: stored, created: inserted !== undefined };
}

export async function insertPaymentOrder(db: Db, o: { id: string; customerId: string; fileName: string; contentType: string; content: Buffer }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('payment_orders')
      .values({ id: o.id, customer_id: o.customerId, file_name: o.fileName, content_type: o.contentType, content: o.content, size_bytes: o.content.length })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    // Keyed by the order's id: a repeated upload under the same Idempotency-Key adds no event.
    await appendEvents(trx, [
      {
        key: `payment-order/${o.id}`,
        type: 'payment_order.uploaded.v1',
        aggregate: { type: 'customer', id: o.customerId },
        data: { paymentOrderId: o.id, customerId: o.customerId, fileName: o.fileName, contentType: o.contentType, size: o.content.length },
      },
    ]);
  });
}

export async function readPaymentOrder(
  db: Db,
  id: string,
): Promise<{ customerId: string; fileName: string; contentType: string; content: Buffer; sizeBytes: number; createdAt: Date } | undefined> {
  const r = await db.selectFrom('payment_orders').selectAll().where('id', '=', id).executeTakeFirst();
  return r
    ? { customerId: r.customer_id, fileName: r.file_name, contentType: r.content_type, content: r.content, sizeBytes: r.size_bytes, createdAt: r.created_at }
    : undefined;
}
