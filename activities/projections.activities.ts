import type { Db } from '../db/database.js';
import { findInvoiceStatus, projectInvoice, shrinkReservationsAndProject } from '../db/invoices.repository.js';
import { projectOrder } from '../db/orders.repository.js';
import type { InvoiceEvent, InvoiceState } from '../core/contracts/invoice.js';
import type { OrderLineInput, OrderProjection } from '../core/contracts/order.js';

export function createProjectionActivities({ db }: { db: Db }) {
  return {
    /** Upserts the read model; a stale (lower-version) write, e.g. a late retry, changes nothing. */
    async projectInvoice({ state, event }: { state: InvoiceState; event: InvoiceEvent | null }): Promise<void> {
      await projectInvoice(db, state, event);
    },

    async shrinkAndProjectInvoice({ lines, state, event }: { lines: OrderLineInput[]; state: InvoiceState; event: InvoiceEvent }): Promise<void> {
      await shrinkReservationsAndProject(db, lines, state, event);
    },

    async isInvoiceOpen({ invoiceId }: { invoiceId: string }): Promise<boolean> {
      const status = await findInvoiceStatus(db, invoiceId);
      return !status || !['deleted', 'shipped', 'marked_for_deletion'].includes(status);
    },

    async projectOrder(order: OrderProjection): Promise<void> {
      await projectOrder(db, order);
    },
  };
}
