import type { Db } from '../db/database.js';
import type { ShipmentInput } from '../core/contracts/activities.js';
import { ApplicationFailure } from '@temporalio/common';
import { recordShipment } from '../db/realizations.repository.js';
import { correctStock, invoiceReservations } from '../db/stock.repository.js';

export function createShipmentActivities({ db }: { db: Db }) {
  return {
    async getInvoiceReservations({ invoiceId }: { invoiceId: string }): Promise<Record<string, number>> {
      return invoiceReservations(db, invoiceId);
    },

    async commitShipment(input: ShipmentInput): Promise<void> {
      await recordShipment(db, input);
    },

    async correctStock({ correctionId, sku, onHand }: { correctionId: string; sku: string; onHand: number }): Promise<{ affectedInvoiceIds: string[] }> {
      const result = await correctStock(db, { correctionId, sku, onHand });
      if ('shortBy' in result) {
        throw ApplicationFailure.nonRetryable(
          `Нельзя поставить остаток ${onHand} по ${sku}: ещё ${result.shortBy} шт. уже собраны или переданы на склад по счетам`,
          'invalid_stock',
        );
      }
      return result;
    },
  };
}
