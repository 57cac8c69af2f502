import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { commonErrors, createRouter, json, Sku, type ApiDeps } from '../router.js';

const setStockRoute = createRoute({
  method: 'put',
  path: '/v1/warehouse/stock/{sku}',
  summary: 'Stock correction: set the pieces on hand',
  request: {
    params: z.object({ sku: Sku }),
    body: { content: { 'application/json': { schema: z.object({ onHand: z.number().int().min(0).max(100_000_000) }) } }, required: true },
  },
  responses: {
    200: json(z.object({ sku: z.string(), onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() }), 'Stock'),
    ...commonErrors,
  },
});

export function warehouseRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/warehouse/*', requireRole('warehouse'));
  return router.openapi(setStockRoute, async (c) => {
    const { sku } = c.req.valid('param');
    const { onHand } = c.req.valid('json');
    const row = await db.transaction().execute(async (trx) => {
      const product = await trx.selectFrom('products').select('sku').where('sku', '=', sku).executeTakeFirst();
      if (!product) throw new Problem('not_found', `Товар ${sku} не найден в каталоге`);
      const current = await trx.selectFrom('stock').select(['reserved']).where('sku', '=', sku).forUpdate().executeTakeFirst();
      if (current && onHand < current.reserved) {
        throw new Problem('invalid_stock', `Остаток ${onHand} меньше зарезервированного (${current.reserved}) по ${sku}`);
      }
      return trx
        .insertInto('stock')
        .values({ sku, on_hand: onHand })
        .onConflict((oc) => oc.column('sku').doUpdateSet({ on_hand: onHand, updated_at: sql`now()` }))
        .returning(['sku', 'on_hand', 'reserved'])
        .executeTakeFirstOrThrow();
    });
    return c.json({ sku: row.sku, onHand: row.on_hand, reserved: row.reserved, available: row.on_hand - row.reserved }, 200);
  });
}
