import type { Db } from '../db/database.js';
import { projectOrder } from '../db/orders.repository.js';
import { invoiceTotal } from '../core/domain/invoice.js';
import type { InvoiceEvent, InvoiceState } from '../core/contracts/invoice.js';
import type { OrderProjection } from '../core/contracts/order.js';

export function createProjectionActivities({ db }: { db: Db }) {
  return {
    /** Upserts the read model; a stale (lower-version) write, e.g. a late retry, changes nothing. */
    async projectInvoice({ state, event }: { state: InvoiceState; event: InvoiceEvent | null }): Promise<void> {
      const row = {
        id: state.id,
        number: state.number,
        customer_id: state.customerId,
        order_id: state.orderId,
        status: state.status,
        version: state.version,
        lines: JSON.stringify(state.lines),
        total_kopecks: invoiceTotal(state.lines),
        confirmed_at: state.confirmedAt,
        expires_at: state.expiresAt,
        merged_into: state.mergedInto,
        boxes: state.boxes ? JSON.stringify(state.boxes) : null,
        realization_id: state.realization?.id ?? null,
        realization_number: state.realization?.number ?? null,
        merged_from: state.mergedFrom ? JSON.stringify(state.mergedFrom) : null,
        created_at: state.createdAt,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('invoices')
          .values(row)
          .onConflict((oc) =>
            oc
              .column('id')
              .doUpdateSet({ ...row, updated_at: new Date() })
              .where('invoices.version', '<', state.version),
          )
          .execute();
        if (event) {
          await trx
            .insertInto('invoice_events')
            .values({
              invoice_id: state.id,
              seq: state.version,
              at: event.at,
              actor_type: event.actor.type,
              actor_id: event.actor.id,
              action: event.action,
              from_status: event.fromStatus,
              to_status: event.toStatus,
              details: JSON.stringify(event.details),
            })
            .onConflict((oc) => oc.columns(['invoice_id', 'seq']).doNothing())
            .execute();
        }
      });
    },

    async isInvoiceOpen({ invoiceId }: { invoiceId: string }): Promise<boolean> {
      const row = await db.selectFrom('invoices').select('status').where('id', '=', invoiceId).executeTakeFirst();
      return !row || !['deleted', 'shipped', 'marked_for_deletion'].includes(row.status);
    },

    async projectOrder(order: OrderProjection): Promise<void> {
      await projectOrder(db, order);
    },
  };
}
