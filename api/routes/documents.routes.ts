import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { failDocument, findDocument, insertDocument, listDocuments, readDocumentFile, type DocumentRow } from '../../db/documents.repository.js';
import { findInvoice } from '../../db/invoices.repository.js';
import { loadRealizations } from '../../db/realizations.repository.js';
import { DOCUMENT_TITLES, DOCUMENT_TYPES, type DocumentParams } from '../../core/contracts/documents.js';
import { documentWorkflowId } from '../../core/contracts/ids.js';
import { STATUS_LABELS, isLocked } from '../../core/domain/invoice.js';
import { parseRoubles } from '../../core/domain/money.js';
import { checkPeriod, moscowToday } from '../../core/domain/periods.js';
import { PACKING_LAYOUTS } from '../../core/domain/reports.js';
import type { documentWorkflow } from '../../workflows/document.workflow.js';
import { customerIdOf, requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { resourceId, startOnce } from '../idempotency.js';
import { commonErrors, createRouter, decodeCursor, encodeCursor, json, MoneyInput, PageQuery, type ApiDeps, type AppEnv, problem } from '../router.js';
import { contentDisposition } from '../uploads.js';

export const DocumentSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(DOCUMENT_TYPES),
    title: z.string(),
    status: z.enum(['pending', 'ready', 'failed']),
    fileName: z.string().optional(),
    contentType: z.string().optional(),
    size: z.number().int().optional(),
    number: z.string().optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    readyAt: z.string().optional(),
  })
  .openapi('Document');

const Accepted = json(z.object({ documentId: z.uuid() }), 'Accepted: the document is being generated; follow Location');
const IdParam = z.object({ id: z.uuid() });
const RealizationIds = z.array(z.uuid()).min(1).max(100);
const Period = { from: z.iso.date().openapi({ example: '2026-06-01' }), to: z.iso.date().openapi({ example: '2026-11-27' }) };

const requestRoute = createRoute({
  method: 'post',
  path: '/v1/documents',
  summary: 'Request a report or packing lists (XLSX)',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.union([
            z.object({ type: z.literal('receivables') }),
            z.object({ type: z.literal('settlements'), ...Period }),
            z.object({ type: z.literal('sales'), ...Period }),
            z.object({ type: z.literal('realizations'), ...Period }),
            z.object({ type: z.literal('packing-lists'), realizationIds: RealizationIds, layout: z.enum(PACKING_LAYOUTS) }),
          ]),
        },
      },
    },
  },
  responses: { 202: Accepted, 422: problem('period_too_long'), ...commonErrors },
});
const inventoryRoute = createRoute({
  method: 'post',
  path: '/v1/invoices/{id}/inventory-request',
  summary: 'Request the inventory & certificates PDF of an invoice sent for shipment',
  request: { params: IdParam },
  responses: { 202: Accepted, 409: problem('invalid_transition: the invoice is not sent for shipment yet'), ...commonErrors },
});
const paymentInvoiceRoute = createRoute({
  method: 'post',
  path: '/v1/payment-invoices',
  summary: 'Request a payment invoice ("счёт на оплату", PDF) for realizations or for an amount',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ realizationIds: RealizationIds.optional(), amount: MoneyInput.optional() })
            .refine((b) => (b.realizationIds === undefined) !== (b.amount === undefined), 'укажите либо realizationIds, либо amount'),
        },
      },
    },
  },
  responses: { 202: Accepted, ...commonErrors },
});
const listRoute = createRoute({
  method: 'get',
  path: '/v1/documents',
  summary: 'The files list',
  request: { query: PageQuery.extend({ type: z.enum(DOCUMENT_TYPES).optional() }) },
  responses: { 200: json(z.object({ items: z.array(DocumentSchema), nextCursor: z.string().nullable() }), 'Documents, newest first'), ...commonErrors },
});
const getRoute = createRoute({
  method: 'get',
  path: '/v1/documents/{id}',
  summary: 'A document and its status',
  request: { params: IdParam },
  responses: { 200: json(DocumentSchema, 'Document'), ...commonErrors },
});
const fileRoute = createRoute({
  method: 'get',
  path: '/v1/documents/{id}/file',
  summary: "The document's file",
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The file (PDF or XLSX) with a Content-Disposition file name',
      content: {
        'application/pdf': { schema: { type: 'string', format: 'binary' } },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
      },
    },
    409: problem('invalid_transition: not ready (pending or failed)'),
    ...commonErrors,
  },
});

export function documentView(d: DocumentRow) {
  return {
    id: d.id,
    type: d.type,
    title: DOCUMENT_TITLES[d.type],
    status: d.status,
    ...(d.fileName ? { fileName: d.fileName } : {}),
    ...(d.contentType ? { contentType: d.contentType } : {}),
    ...(d.sizeBytes !== null ? { size: d.sizeBytes } : {}),
    ...(d.number ? { number: d.number } : {}),
    ...(d.error ? { error: d.error } : {}),
    createdAt: d.createdAt,
    ...(d.readyAt ? { readyAt: d.readyAt } : {}),
  };
}

export function documentRoutes({ db, temporal, config }: ApiDeps) {
  /** Records the request (pending) and starts its workflow; 202 at once. */
  async function start(c: Context<AppEnv>, customerId: string, params: DocumentParams) {
    const documentId = resourceId(c);
    await insertDocument(db, { id: documentId, customerId, params });
    try {
      await startOnce(
        temporal.workflow.start<typeof documentWorkflow>('documentWorkflow', {
          workflowId: documentWorkflowId(documentId),
          // A retry under the same key may find the workflow started, or even finished: one document.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          taskQueue: config.temporal.taskQueue,
          args: [{ documentId, customerId, type: params.type }],
          staticSummary: `${DOCUMENT_TITLES[params.type]} для клиента ${customerId}`,
        }),
      );
    } catch (err) {
      await failDocument(db, documentId, 'Не удалось поставить документ в очередь');
      throw err;
    }
    return c.json({ documentId }, 202, { Location: `/v1/documents/${documentId}` });
  }

  async function ownRealizations(customerId: string, ids: string[]) {
    const found = await loadRealizations(db, customerId, { ids });
    if (found.length !== new Set(ids).size) throw new Problem('not_found', 'Реализация не найдена');
  }

  const router = createRouter();
  router.use('/v1/documents', requireRole('customer'));
  router.use('/v1/documents/*', requireRole('customer'));
  router.use('/v1/payment-invoices', requireRole('customer'));
  router.use('/v1/invoices/:id/inventory-request', requireRole('customer'));
  return router
    .openapi(requestRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const body = c.req.valid('json');
      const today = moscowToday(Date.now());
      switch (body.type) {
        case 'receivables':
          return start(c, customerId, { type: 'receivables', today });
        case 'packing-lists':
          await ownRealizations(customerId, body.realizationIds);
          return start(c, customerId, { type: 'packing-lists', realizationIds: [...new Set(body.realizationIds)], layout: body.layout });
        default: {
          const period = checkPeriod(body.type, body.from, body.to, today);
          if (!period.ok)
            throw new Problem(period.code, period.message, period.code === 'validation_failed' ? [{ path: 'json.from', message: period.message }] : undefined);
          return start(c, customerId, { type: body.type, from: period.from, to: period.to });
        }
      }
    })
    .openapi(inventoryRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const invoice = await findInvoice(db, c.req.valid('param').id, { customerId });
      if (!invoice) throw new Problem('not_found', 'Счёт не найден');
      if (!isLocked(invoice.status)) {
        throw new Problem(
          'invalid_transition',
          `Опись и сертификаты доступны после отправки счёта на отгрузку; счёт ${invoice.number} в статусе «${STATUS_LABELS[invoice.status]}»`,
        );
      }
      return start(c, customerId, { type: 'inventory', invoiceId: invoice.id });
    })
    .openapi(paymentInvoiceRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const body = c.req.valid('json');
      if (body.realizationIds) {
        await ownRealizations(customerId, body.realizationIds);
        return start(c, customerId, { type: 'payment-invoice', realizationIds: [...new Set(body.realizationIds)] });
      }
      const amountKopecks = parseRoubles(body.amount ?? '') ?? 0;
      if (amountKopecks <= 0) throw new Problem('validation_failed', 'Сумма должна быть больше 0', [{ path: 'json.amount', message: 'больше 0' }]);
      return start(c, customerId, { type: 'payment-invoice', amountKopecks });
    })
    .openapi(listRoute, async (c) => {
      const { limit, cursor, type } = c.req.valid('query');
      const after = decodeCursor(cursor, 2);
      const rows = await listDocuments(db, customerIdOf(c.get('user')), {
        limit: limit + 1,
        ...(type ? { type } : {}),
        ...(after ? { after: { createdAt: after[0] ?? '', id: after[1] ?? '' } } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json({ items: page.map(documentView), nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null }, 200);
    })
    .openapi(getRoute, async (c) => {
      const doc = await findDocument(db, c.req.valid('param').id, customerIdOf(c.get('user')));
      if (!doc) throw new Problem('not_found', 'Документ не найден');
      return c.json(documentView(doc), 200);
    })
    .openapi(fileRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const { id } = c.req.valid('param');
      const file = await readDocumentFile(db, id, customerId);
      if (!file) {
        const doc = await findDocument(db, id, customerId);
        if (!doc) throw new Problem('not_found', 'Документ не найден');
        throw new Problem('invalid_transition', doc.status === 'failed' ? `Документ не сформирован: ${doc.error ?? 'ошибка'}` : 'Документ ещё формируется');
      }
      return c.body(new Uint8Array(file.content), 200, {
        'Content-Type': file.contentType,
        'Content-Disposition': contentDisposition(file.fileName),
        'Content-Length': String(file.content.length),
        'Cache-Control': 'private, no-store',
      });
    });
}
