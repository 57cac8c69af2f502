import { createRoute, z } from '@hono/zod-openapi';
import { listRealizations } from '../../db/realizations.repository.js';
import { invoiceTotal, lineTotal } from '../../core/domain/invoice.js';
import { formatRoubles, vatIncluded } from '../../core/domain/money.js';
import { customerIdOf, requireRole } from '../auth.js';
import { commonErrors, createRouter, json, Money, ProductLineSchema, type ApiDeps } from '../router.js';

const RealizationSchema = z
  .object({
    id: z.uuid(),
    number: z.string(),
    invoiceId: z.uuid(),
    shippedAt: z.string(),
    lines: z.array(
      ProductLineSchema.extend({
        quantity: z.number().int(),
        price: Money,
        total: Money,
      }),
    ),
    boxes: z.array(z.object({ number: z.number().int(), lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })) })),
    total: Money,
    vat: Money,
  })
  .openapi('Realization');

const listRoute = createRoute({
  method: 'get',
  path: '/v1/realizations',
  summary: 'Shipped realizations with lines, boxes and totals',
  request: { query: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }) },
  responses: { 200: json(z.object({ items: z.array(RealizationSchema) }), 'Realizations, newest first'), ...commonErrors },
});

export function realizationRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/realizations', requireRole('customer'));
  return router.openapi(listRoute, async (c) => {
    const { from, to } = c.req.valid('query');
    // Dates are Moscow calendar days.
    const rows = await listRealizations(db, customerIdOf(c.get('user')), {
      ...(from ? { fromMs: new Date(`${from}T00:00:00+03:00`).getTime() } : {}),
      ...(to ? { toMs: new Date(`${to}T00:00:00+03:00`).getTime() + 86_400_000 } : {}),
    });
    const items = rows.map((r) => ({
      id: r.id,
      number: r.number,
      invoiceId: r.invoiceId,
      shippedAt: r.shippedAt.toISOString(),
      lines: r.lines.map((l) => ({
        sku: l.sku,
        article: l.article,
        name: l.name,
        characteristic: l.characteristic,
        quantity: l.approved,
        price: formatRoubles(l.priceKopecks),
        total: formatRoubles(lineTotal(l)),
      })),
      boxes: r.boxes,
      total: formatRoubles(invoiceTotal(r.lines)),
      vat: formatRoubles(vatIncluded(invoiceTotal(r.lines))),
    }));
    return c.json({ items }, 200);
  });
}
