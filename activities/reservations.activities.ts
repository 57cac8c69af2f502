import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import { pinInvoiceReservations, releaseInvoiceReservations, reserveInvoiceLines } from '../db/stock.repository.js';
import type { InvoiceLine } from '../core/domain/invoice.js';
import type { OrderLineInput } from '../core/contracts/order.js';

export function createReservationActivities({ db }: { db: Db }) {
  return {
    async reserveInvoiceLines({ invoiceId, lines, claims }: { invoiceId: string; lines: OrderLineInput[]; claims?: string[] }): Promise<InvoiceLine[]> {
      const reserved = await reserveInvoiceLines(db, invoiceId, lines, claims);
      return reserved.map(({ sku, requested, approved, product }): InvoiceLine => {
        if (!product) {
          return {
            sku,
            article: sku,
            name: 'Неизвестный товар',
            characteristic: null,
            requested,
            approved: 0,
            priceKopecks: 0,
            piecesPerBox: 1,
            reason: 'unknown_sku',
          };
        }
        return {
          sku,
          article: product.article,
          name: product.name,
          characteristic: product.characteristic,
          requested,
          approved,
          priceKopecks: product.priceKopecks,
          piecesPerBox: product.piecesPerBox,
          ...(approved < requested ? { reason: 'out_of_stock' as const } : {}),
        };
      });
    },

    async releaseInvoiceReservations({ invoiceId }: { invoiceId: string }): Promise<void> {
      await releaseInvoiceReservations(db, invoiceId);
    },

    /**
     * Pins the invoice's reservations before its goods are picked, so no stock cut can take them
     * any more; refuses when they no longer cover the approved lines (a cut landed first, and its
     * signal is on its way to the invoice).
     */
    async pinInvoiceReservations({ invoiceId, lines }: { invoiceId: string; lines: { sku: string; approved: number }[] }): Promise<void> {
      const short = await pinInvoiceReservations(db, invoiceId, lines);
      if (short.length) {
        throw ApplicationFailure.nonRetryable(`Остаток по ${short.join(', ')} уменьшился: счёт возвращается клиенту на подтверждение`, 'invalid_transition');
      }
    },
  };
}
