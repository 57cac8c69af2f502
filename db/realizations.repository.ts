import type { Selectable } from 'kysely';
import type { ShipmentInput } from '../core/contracts/activities.js';
import { invoiceTotal, type InvoiceLine } from '../core/domain/invoice.js';
import { formatRoubles } from '../core/domain/money.js';
import type { Box } from '../core/domain/packing.js';
import type { Db } from './database.js';
import type { RealizationsTable } from './schema.js';
import { appendEvents, linesData } from './outbox.repository.js';
import { lockInvoicesAndStock, shipReserved } from './stock.repository.js';

/** Realizations: what an invoice shipped, written once, when its goods leave the stock. */

export interface RealizationData {
  id: string;
  number: string;
  invoiceId: string;
  shippedAt: Date;
  lines: InvoiceLine[];
  boxes: Box[];
  totalKopecks: number;
}

function toData(r: Selectable<RealizationsTable>): RealizationData {
  return {
    id: r.id,
    number: r.number,
    invoiceId: r.invoice_id,
    shippedAt: r.shipped_at,
    lines: r.lines,
    boxes: r.boxes,
    totalKopecks: Number(r.total_kopecks),
  };
}

/** The customer's realizations, by ids or shipped in [fromMs, toMs), oldest first. */
export async function loadRealizations(db: Db, customerId: string, filter: { ids?: string[]; fromMs?: number; toMs?: number }): Promise<RealizationData[]> {
  let q = db.selectFrom('realizations').selectAll().where('customer_id', '=', customerId).orderBy('shipped_at').orderBy('number');
  if (filter.ids) q = q.where('id', 'in', filter.ids.length ? filter.ids : ['00000000-0000-0000-0000-000000000000']);
  if (filter.fromMs !== undefined) q = q.where('shipped_at', '>=', new Date(filter.fromMs));
  if (filter.toMs !== undefined) q = q.where('shipped_at', '<', new Date(filter.toMs));
  return (await q.execute()).map(toData);
}

/** The customer's realizations shipped in [fromMs, toMs), newest first. */
export async function listRealizations(db: Db, customerId: string, filter: { fromMs?: number; toMs?: number }): Promise<RealizationData[]> {
  let q = db.selectFrom('realizations').selectAll().where('customer_id', '=', customerId).orderBy('shipped_at', 'desc');
  if (filter.fromMs !== undefined) q = q.where('shipped_at', '>=', new Date(filter.fromMs));
  if (filter.toMs !== undefined) q = q.where('shipped_at', '<', new Date(filter.toMs));
  return (await q.execute()).map(toData);
}

/**
 * Ships the invoice in one transaction: its reserved goods leave the stock and its realization is
 * recorded. Idempotent: an invoice that already has its realization changes nothing.
 */
export async function recordShipment(db: Db, input: ShipmentInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { held } = await lockInvoicesAndStock(trx, [input.invoiceId]);
    const done = await trx.selectFrom('realizations').select('id').where('invoice_id', '=', input.invoiceId).executeTakeFirst();
    if (done) return;
    await shipReserved(trx, input.invoiceId, held);
    const lines = input.lines.filter((l) => l.approved > 0);
    await trx
      .insertInto('realizations')
      .values({
        id: input.realizationId,
        invoice_id: input.invoiceId,
        number: input.realizationNumber,
        customer_id: input.customerId,
        shipped_at: input.shippedAt,
        lines: JSON.stringify(lines),
        boxes: JSON.stringify(input.boxes),
        total_kopecks: invoiceTotal(lines),
      })
      .execute();
    await appendEvents(trx, [
      {
        key: `realization/${input.realizationId}`,
        type: 'realization.created.v1',
        aggregate: { type: 'invoice', id: input.invoiceId },
        data: {
          realizationId: input.realizationId,
          number: input.realizationNumber,
          invoiceId: input.invoiceId,
          customerId: input.customerId,
          shippedAt: input.shippedAt,
          total: formatRoubles(invoiceTotal(lines)),
          lines: linesData(lines),
          boxes: input.boxes,
        },
      },
    ]);
  });
}
