import { createRoute, z } from '@hono/zod-openapi';
import { findOrder } from '../../db/orders.repository.js';
import { customerIdOf, requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { commonErrors, createRouter, json, type ApiDeps } from '../router.js';

const OrderSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['placed', 'checking', 'invoiced', 'failed']),
    invoiceId: z.uuid().optional(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
    error: z.string().optional(),
    createdAt: z.string(),
  })
  .openapi('Order');

const getOrderRoute = createRoute({
  method: 'get',
  path: '/v1/orders/{id}',
  summary: 'An order and the invoice it became',
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: json(OrderSchema, 'Order'), ...commonErrors },
});

export function orderRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/orders/*', requireRole('customer'));
  return router.openapi(getOrderRoute, async (c) => {
    const customerId = customerIdOf(c.get('user'));
    const { id } = c.req.valid('param');
    const row = await findOrder(db, id, customerId);
    if (!row) throw new Problem('not_found', 'Заказ не найден');
    return c.json(
      {
        id: row.id,
        status: row.status,
        ...(row.invoiceId ? { invoiceId: row.invoiceId } : {}),
        lines: row.lines,
        ...(row.error ? { error: row.error } : {}),
        createdAt: row.createdAt.toISOString(),
      },
      200,
    );
  });
}
