import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { stockCorrectionWorkflow } from '../../workflows/stock-correction.workflow.js';
import { productExists } from '../../db/catalog.repository.js';
import { findInvoice, listInvoices } from '../../db/invoices.repository.js';
import { stockOf } from '../../db/stock.repository.js';
import { stockCorrectionWorkflowId } from '../../core/contracts/ids.js';
import { warehouseStepUpdate } from '../../core/contracts/invoice-messages.js';
import { WAREHOUSE_STATUSES, type InvoiceStatus } from '../../core/domain/invoice.js';
import { MAX_BOX_LINES, MAX_BOXES } from '../../core/domain/limits.js';
import { requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { commonErrors, createRouter, decodeCursor, encodeCursor, json, PageQuery, PositiveQuantity, Sku, type ApiDeps } from '../router.js';
import { invoiceView } from '../views.js';
import { InvoiceSchema, command, sendInvoiceCommand } from '../invoice-commands.js';

const setStockRoute = createRoute({
  method: 'put',
  path: '/v1/warehouse/stock/{sku}',
  summary: 'Stock correction: set the pieces on hand (cuts reservations when it falls below them)',
  request: {
    params: z.object({ sku: Sku }),
    body: { content: { 'application/json': { schema: z.object({ onHand: z.number().int().min(0).max(100_000_000) }) } }, required: true },
  },
  responses: {
    200: json(
      z.object({ sku: z.string(), onHand: z.number().int(), reserved: z.number().int(), available: z.number().int(), affectedInvoiceIds: z.array(z.uuid()) }),
      'Stock after the correction',
    ),
    ...commonErrors,
  },
});

const BoxSchema = z.object({
  number: z.number().int().min(1).max(1_000_000),
  lines: z
    .array(z.object({ sku: Sku, quantity: PositiveQuantity }))
    .min(1)
    .max(MAX_BOX_LINES),
});

const statusRoute = createRoute({
  method: 'post',
  path: '/v1/warehouse/invoices/{id}/status',
  summary: 'Warehouse progress: to_warehouse → assembled (with boxes) → shipped',
  request: {
    params: z.object({ id: z.uuid() }),
    body: {
      content: {
        'application/json': {
          schema: z.object({
            status: z.enum(WAREHOUSE_STATUSES),
            boxes: z
              .array(BoxSchema)
              .min(1)
              .max(MAX_BOXES)
              .optional()
              .openapi({ description: 'box number → SKU → quantity; without it the system packs by pieces per box' }),
          }),
        },
      },
      required: true,
    },
  },
  responses: { 200: json(InvoiceSchema, 'The invoice'), ...commonErrors },
});

/** What the warehouse works on: sent for shipment, being picked, packed; and what it has shipped. */
const PICKING: InvoiceStatus[] = ['shipment_confirmed', 'to_warehouse', 'assembled'];
const QUEUES = { picking: PICKING, shipped: ['shipped'] as InvoiceStatus[] };

const listRoute = createRoute({
  method: 'get',
  path: '/v1/warehouse/invoices',
  summary: 'Invoices to pick (sent for shipment, to warehouse, assembled) or, with queue=shipped, shipped ones; newest first',
  request: { query: PageQuery.extend({ queue: z.enum(['picking', 'shipped']).optional() }) },
  responses: { 200: json(z.object({ items: z.array(InvoiceSchema), nextCursor: z.string().nullable() }), 'Invoices'), ...commonErrors },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/warehouse/invoices/{id}',
  summary: 'An invoice the warehouse works on (any company: the warehouse serves them all)',
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: json(InvoiceSchema, 'Invoice'), ...commonErrors },
});

export function warehouseRoutes({ db, temporal, config }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/warehouse/*', requireRole('warehouse'));
  return router
    .openapi(setStockRoute, async (c) => {
      const { sku } = c.req.valid('param');
      const { onHand } = c.req.valid('json');
      if (!(await productExists(db, sku))) throw new Problem('not_found', `Товар ${sku} не найден в каталоге`);
      const correctionId = randomUUID();
      const { affectedInvoiceIds } = await temporal.workflow.execute<typeof stockCorrectionWorkflow>('stockCorrectionWorkflow', {
        workflowId: stockCorrectionWorkflowId(correctionId),
        taskQueue: config.temporal.taskQueue,
        args: [{ correctionId, sku, onHand }],
        staticSummary: `Корректировка остатка ${sku}: ${onHand} шт.`,
      });
      const stock = await stockOf(db, sku);
      return c.json({ sku, onHand: stock.onHand, reserved: stock.reserved, available: stock.onHand - stock.reserved, affectedInvoiceIds }, 200);
    })
    .openapi(listRoute, async (c) => {
      const { limit, cursor, queue } = c.req.valid('query');
      const after = decodeCursor(cursor, 2);
      const rows = await listInvoices(db, 'all', {
        limit: limit + 1,
        statuses: QUEUES[queue ?? 'picking'],
        ...(after ? { after: { createdAt: after[0] ?? '', id: after[1] ?? '' } } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json({ items: page.map(invoiceView), nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null }, 200);
    })
    .openapi(getRoute, async (c) => {
      // Only invoices past the customer's "send for shipment": drafts are none of the warehouse's business.
      const invoice = await findInvoice(db, c.req.valid('param').id, 'all');
      if (!invoice || ![...PICKING, 'shipped'].includes(invoice.status)) throw new Problem('not_found', 'Счёт не найден');
      return c.json(invoiceView(invoice), 200, { ETag: `"${invoice.version}"` });
    })
    .openapi(statusRoute, async (c) => {
      const invoice = await findInvoice(db, c.req.valid('param').id, 'all');
      if (!invoice) throw new Problem('not_found', 'Счёт не найден');
      const { status, boxes } = c.req.valid('json');
      const state = await sendInvoiceCommand(temporal, invoice, warehouseStepUpdate, { ...command(c), status, ...(boxes ? { boxes } : {}) });
      return c.json(invoiceView(state), 200, { ETag: `"${state.version}"` });
    });
}
