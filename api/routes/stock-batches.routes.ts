import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { stockCorrectionWorkflow } from '../../workflows/stock-correction.workflow.js';
import { knownSkus } from '../../db/catalog.repository.js';
import { claimStockBatch, saveStockBatchResult, setPrices } from '../../db/stock-batches.repository.js';
import { stockOf } from '../../db/stock.repository.js';
import { stockCorrectionWorkflowId } from '../../core/contracts/ids.js';
import { parseRoubles } from '../../core/domain/money.js';
import { requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { stableUuid } from '../idempotency.js';
import { commonErrors, createRouter, json, MoneyInput, Sku, type ApiDeps } from '../router.js';

/** Items per batch: the corrections run while the request waits, within the API's Temporal deadline. */
export const MAX_STOCK_BATCH_ITEMS = 500;
const PARALLEL = 8;

const BatchInput = z
  .object({
    batchId: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII'),
    items: z
      .array(z.object({ sku: Sku, onHand: z.number().int().min(0).max(100_000_000), price: MoneyInput.optional() }))
      .min(1)
      .max(MAX_STOCK_BATCH_ITEMS)
      .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'each SKU once per batch'),
  })
  .openapi('StockBatchInput');

const ItemResult = z.object({
  sku: z.string(),
  status: z.enum(['applied', 'unknown_sku', 'refused']),
  onHand: z.number().int().optional(),
  reserved: z.number().int().optional(),
  available: z.number().int().optional(),
  priceChanged: z.boolean().optional(),
  affectedInvoiceIds: z.array(z.uuid()).optional(),
  error: z.string().optional().openapi({ description: 'why a correction was refused (e.g. picked goods exceed the new stock)' }),
});
const BatchResult = z.object({ batchId: z.string(), items: z.array(ItemResult) }).openapi('StockBatchResult');
type ItemResult = z.infer<typeof ItemResult>;

const batchRoute = createRoute({
  method: 'post',
  path: '/v1/admin/stock-batches',
  summary: 'Admin (ERP): set on-hand stock and prices of many SKUs, each with the warehouse stock-correction rules',
  description:
    'Idempotent by batchId: the same body again answers the first result; the same batchId with another body is 422 idempotency_key_reused. Unknown SKUs are reported per item.',
  request: { body: { content: { 'application/json': { schema: BatchInput } }, required: true } },
  responses: { 200: json(BatchResult, 'Per item outcome'), ...commonErrors },
});

function failureOf(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) if (e instanceof ApplicationFailure) return e;
  return undefined;
}

/** The warehouse's correction (stockCorrectionWorkflow), once per (batch, SKU): a repeat joins the first run. */
async function correct(
  temporal: Client,
  taskQueue: string,
  batchId: string,
  sku: string,
  onHand: number,
): Promise<{ affected: string[] } | { refused: string }> {
  const correctionId = stableUuid('stock-batch', batchId, sku);
  const workflowId = stockCorrectionWorkflowId(correctionId);
  try {
    await temporal.workflow.start<typeof stockCorrectionWorkflow>('stockCorrectionWorkflow', {
      workflowId,
      taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ correctionId, sku, onHand }],
      staticSummary: `ERP ${batchId}: остаток ${sku} = ${onHand} шт.`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  try {
    const { affectedInvoiceIds } = await temporal.workflow.getHandle<typeof stockCorrectionWorkflow>(workflowId).result();
    return { affected: affectedInvoiceIds };
  } catch (err) {
    const failure = failureOf(err);
    if (failure?.type === 'invalid_stock') return { refused: failure.message };
    throw err;
  }
}

export function stockBatchRoutes({ db, temporal, config }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/admin/*', requireRole('admin'));
  return router.openapi(batchRoute, async (c) => {
    const { batchId, items } = c.req.valid('json');
    const hash = createHash('sha256').update(JSON.stringify(items)).digest('hex');
    const claim = await claimStockBatch(db, batchId, hash);
    if (claim.kind === 'conflict') throw new Problem('idempotency_key_reused', `Пакет ${batchId} уже принят с другим содержимым`);
    if (claim.kind === 'done') return c.json(claim.result as z.infer<typeof BatchResult>, 200);

    const known = await knownSkus(
      db,
      items.map((i) => i.sku),
    );
    const priced = new Set(
      await setPrices(
        db,
        items.filter((i) => known.has(i.sku) && i.price !== undefined).map((i) => ({ sku: i.sku, priceKopecks: parseRoubles(i.price ?? '0') ?? 0 })),
      ),
    );
    const results: ItemResult[] = new Array<ItemResult>(items.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < items.length; i = next++) {
        const item = items[i];
        if (!item) continue;
        if (!known.has(item.sku)) {
          results[i] = { sku: item.sku, status: 'unknown_sku' };
          continue;
        }
        const outcome = await correct(temporal, config.temporal.taskQueue, batchId, item.sku, item.onHand);
        const stock = await stockOf(db, item.sku);
        const now = { onHand: stock.onHand, reserved: stock.reserved, available: stock.onHand - stock.reserved, priceChanged: priced.has(item.sku) };
        results[i] =
          'refused' in outcome
            ? { sku: item.sku, status: 'refused', ...now, error: outcome.refused }
            : { sku: item.sku, status: 'applied', ...now, affectedInvoiceIds: outcome.affected };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
    const result = { batchId, items: results };
    await saveStockBatchResult(db, batchId, result);
    return c.json(result, 200);
  });
}
