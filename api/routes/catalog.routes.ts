import { createRoute, z } from '@hono/zod-openapi';
import { listProducts } from '../../db/catalog.repository.js';
import { formatRoubles } from '../../core/domain/money.js';
import { commonErrors, createRouter, decodeCursor, encodeCursor, json, Money, PageQuery, type ApiDeps } from '../router.js';

export const ProductSchema = z
  .object({
    sku: z.string(),
    article: z.string(),
    name: z.string(),
    characteristic: z.string().nullable(),
    unit: z.string(),
    price: Money,
    piecesPerBox: z.number().int(),
    available: z.number().int(),
    certificate: z.object({ number: z.string(), validUntil: z.string().nullable() }).nullable(),
  })
  .openapi('Product');

const listRoute = createRoute({
  method: 'get',
  path: '/v1/catalog/products',
  summary: 'Catalog SKUs with availability',
  request: { query: PageQuery.extend({ q: z.string().max(100).optional() }) },
  responses: { 200: json(z.object({ items: z.array(ProductSchema), nextCursor: z.string().nullable() }), 'SKUs'), ...commonErrors },
});

export function catalogRoutes({ db }: ApiDeps) {
  return createRouter().openapi(listRoute, async (c) => {
    const { q, limit, cursor } = c.req.valid('query');
    const after = decodeCursor(cursor, 1)?.[0];
    const rows = await listProducts(db, { ...(q ? { q } : {}), ...(after ? { after } : {}), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const items = page.map((p) => ({
      sku: p.sku,
      article: p.article,
      name: p.name,
      characteristic: p.characteristic,
      unit: p.unit,
      price: formatRoubles(p.priceKopecks),
      piecesPerBox: p.piecesPerBox,
      available: Math.max(0, p.onHand - p.reserved),
      certificate: p.certificateNumber ? { number: p.certificateNumber, validUntil: p.certificateValidUntil } : null,
    }));
    const last = page.at(-1);
    return c.json({ items, nextCursor: rows.length > limit && last ? encodeCursor([last.sku]) : null }, 200);
  });
}
