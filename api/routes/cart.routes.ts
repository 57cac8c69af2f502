import { createRoute, z } from '@hono/zod-openapi';
import { cartItems, cartRows, clearCart, removeCartItem, setCartItem, takeFromCart, type CartRow } from '../../db/cart.repository.js';
import { findInvoice } from '../../db/invoices.repository.js';
import { addItemsUpdate } from '../../core/contracts/invoice-messages.js';
import { command, sendInvoiceCommand } from '../invoice-commands.js';
import type { orderWorkflow } from '../../workflows/order.workflow.js';
import { listProducts, productExists } from '../../db/catalog.repository.js';
import { recordPlacedOrder } from '../../db/orders.repository.js';
import { orderWorkflowId } from '../../core/contracts/ids.js';
import { formatRoubles } from '../../core/domain/money.js';
import { customerIdOf, registeredCustomerId, requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { stableUuid, startOnce } from '../idempotency.js';
import { commonErrors, createRouter, json, Money, Quantity, Sku, type ApiDeps } from '../router.js';

const CartSchema = z
  .object({
    lines: z.array(
      z.object({
        sku: z.string(),
        quantity: z.number().int(),
        article: z.string(),
        name: z.string(),
        characteristic: z.string().nullable(),
        price: Money,
        total: Money,
        available: z.number().int(),
      }),
    ),
    total: Money,
  })
  .openapi('Cart');

const getCartRoute = createRoute({ method: 'get', path: '/v1/cart', summary: 'The cart', responses: { 200: json(CartSchema, 'Cart'), ...commonErrors } });
const putItemRoute = createRoute({
  method: 'put',
  path: '/v1/cart/items/{sku}',
  summary: 'Set a cart line quantity (0 removes)',
  request: { params: z.object({ sku: Sku }), body: { content: { 'application/json': { schema: z.object({ quantity: Quantity }) } }, required: true } },
  responses: { 200: json(CartSchema, 'Cart'), 422: commonErrors[400], ...commonErrors },
});
const clearRoute = createRoute({
  method: 'delete',
  path: '/v1/cart',
  summary: 'Empty the cart',
  responses: { 200: json(CartSchema, 'Cart'), ...commonErrors },
});
const checkoutRoute = createRoute({
  method: 'post',
  path: '/v1/cart/checkout',
  summary: 'Place an order from the cart',
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ target: z.union([z.literal('new'), z.object({ invoiceId: z.uuid() })]) }) } },
      required: true,
    },
  },
  responses: { 202: json(z.object({ orderId: z.uuid().optional(), invoiceId: z.uuid().optional() }), 'Accepted'), 422: commonErrors[400], ...commonErrors },
});

/**
 * A checkout's identity, derived from the cart rows it takes as they were last written: two
 * requests over the same cart (a double click, a retry after a lost answer) get the same id and
 * do the work once; a cart filled again later gets a new one. Shaped as a UUID (version 8).
 */
function checkoutId(customerId: string, target: string, rows: CartRow[]): string {
  return stableUuid(customerId, target, rows);
}

export function cartRoutes({ db, temporal, config }: ApiDeps) {
  async function readCart(customerId: string) {
    const items = await cartItems(db, customerId);
    const products = new Map((await listProducts(db, { skus: items.map((i) => i.sku) })).map((p) => [p.sku, p]));
    let total = 0;
    const lines = items.flatMap((item) => {
      const p = products.get(item.sku);
      if (!p) return [];
      total += p.priceKopecks * item.quantity;
      return [
        {
          sku: item.sku,
          quantity: item.quantity,
          article: p.article,
          name: p.name,
          characteristic: p.characteristic,
          price: formatRoubles(p.priceKopecks),
          total: formatRoubles(p.priceKopecks * item.quantity),
          available: Math.max(0, p.onHand - p.reserved),
        },
      ];
    });
    return { lines, total: formatRoubles(total) };
  }

  const router = createRouter();
  router.use('/v1/cart', requireRole('customer'));
  router.use('/v1/cart/*', requireRole('customer'));
  return router
    .openapi(getCartRoute, async (c) => c.json(await readCart(customerIdOf(c.get('user'))), 200))
    .openapi(putItemRoute, async (c) => {
      const customerId = await registeredCustomerId(db, c.get('user'));
      const { sku } = c.req.valid('param');
      const { quantity } = c.req.valid('json');
      if (quantity === 0) {
        await removeCartItem(db, customerId, sku);
      } else {
        if (!(await productExists(db, sku))) throw new Problem('unknown_sku', `Товара ${sku} нет в каталоге`);
        await setCartItem(db, customerId, sku, quantity);
      }
      return c.json(await readCart(customerId), 200);
    })
    .openapi(clearRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      await clearCart(db, customerId);
      return c.json(await readCart(customerId), 200);
    })
    .openapi(checkoutRoute, async (c) => {
      // No lock or transaction is held while Temporal answers: the worker needs connections from
      // the same pool to do the very work this waits for. The checkout id makes a repeat harmless.
      const customerId = await registeredCustomerId(db, c.get('user'));
      const { target } = c.req.valid('json');
      // Another company's invoice is not found, whatever this cart holds.
      const invoice = target === 'new' ? null : await findInvoice(db, target.invoiceId, { customerId });
      if (target !== 'new' && !invoice) throw new Problem('not_found', 'Счёт не найден');
      const rows = await cartRows(db, customerId);
      if (rows.length === 0) throw new Problem('empty_cart', 'Корзина пуста: добавьте товары перед оформлением заказа');
      const lines = rows.map(({ sku, quantity }) => ({ sku, quantity }));
      if (invoice) {
        const requestId = `checkout/${checkoutId(customerId, invoice.id, rows)}`;
        // A refusal throws here and leaves the cart as it was.
        await sendInvoiceCommand(temporal, invoice, addItemsUpdate, { ...command(c), requestId, lines });
        await takeFromCart(db, customerId, rows);
        return c.json({ invoiceId: invoice.id }, 202, { Location: `/v1/invoices/${invoice.id}` });
      }
      const orderId = checkoutId(customerId, 'new', rows);
      await startOnce(
        temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
          workflowId: orderWorkflowId(orderId),
          taskQueue: config.temporal.taskQueue,
          // The same cart never becomes a second order, however often it is sent.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [{ orderId, customerId, lines, placedAt: new Date().toISOString(), settings: config.durations }],
          staticSummary: `Заказ ${orderId}: ${lines.length} поз.`,
        }),
      );
      // Recorded after the start: the workflow carries the lines, so an order whose answer was
      // lost still completes, and the same checkout sent again only finishes this step.
      await recordPlacedOrder(db, { id: orderId, customerId, lines }, rows);
      return c.json({ orderId }, 202, { Location: `/v1/orders/${orderId}` });
    });
}
