import { createRoute, z } from '@hono/zod-openapi';
import { applyOrderForm } from '../../db/cart.repository.js';
import { knownSkus, listProducts } from '../../db/catalog.repository.js';
import { findCustomerName } from '../../db/customers.repository.js';
import { buildOrderForm, checkWorkbook, ORDER_FORM_LIMITS, readOrderForm, type FormRejection } from '../../formats/order-form.js';
import { XLSX_CONTENT_TYPE } from '../../formats/xlsx.js';
import { moscowToday } from '../../core/domain/periods.js';
import { customerIdOf, registeredCustomerId, requireRole } from '../auth.js';
import { MAX_CART_LINES } from '../../core/domain/limits.js';
import { Problem } from '../errors.js';
import { commonErrors, createRouter, json, type ApiDeps, problem } from '../router.js';
import { contentDisposition, MULTIPART_FILE_BODY, uploadedFile } from '../uploads.js';

const formRoute = createRoute({
  method: 'get',
  path: '/v1/catalog/order-form.xlsx',
  summary: 'The order form ("бланк"): one row per SKU with an empty quantity column',
  responses: {
    200: { description: 'The .xlsx order form', content: { [XLSX_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } } } },
    ...commonErrors,
  },
});

const uploadRoute = createRoute({
  method: 'post',
  path: '/v1/cart/upload',
  summary: 'Fill the cart from an order form',
  description:
    "Every row with a quantity SETS that SKU's cart quantity (like PUT /v1/cart/items/{sku}); 0 removes it; rows with an empty " +
    'quantity are skipped. Invalid rows are listed in `rejected` and change nothing; valid rows are applied whatever the invalid ' +
    'ones. Refused as a whole, with no change: 413 file_too_large (over 2 MiB or over 20,000 rows), 415 unsupported_file (not an ' +
    '.xlsx, macros, a zip bomb, not an order form).',
  request: { body: MULTIPART_FILE_BODY },
  responses: {
    200: json(
      z.object({
        added: z.number().int().openapi({ description: 'SKUs whose cart quantity was set' }),
        removed: z.number().int().openapi({ description: 'SKUs removed by a 0 quantity' }),
        rejected: z.array(z.object({ row: z.number().int(), sku: z.string().optional(), reason: z.string() })),
      }),
      'What was applied and what was not',
    ),
    413: problem('file_too_large'),
    415: problem('unsupported_file'),
    ...commonErrors,
  },
});

export function orderFormRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/catalog/order-form.xlsx', requireRole('customer'));
  return router
    .openapi(formRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const customerName = await findCustomerName(db, customerId);
      // The whole catalog, one row per SKU, in SKU order (SKUs begin with their article).
      const products = await listProducts(db, {});
      const bytes = await buildOrderForm(
        products.map((p) => ({ ...p, available: Math.max(0, p.onHand - p.reserved) })),
        customerName ?? '',
        moscowToday(Date.now()),
      );
      return c.body(new Uint8Array(bytes), 200, { 'Content-Type': XLSX_CONTENT_TYPE, 'Content-Disposition': contentDisposition('Бланк заказа.xlsx') });
    })
    .openapi(uploadRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const file = await uploadedFile(await c.req.parseBody(), ORDER_FORM_LIMITS.maxBytes);
      const refusal = checkWorkbook(file.bytes);
      if (refusal) throw new Problem(refusal.code, refusal.reason);
      const form = await readOrderForm(file.bytes);
      if (!form.ok) throw new Problem(form.code, form.reason);
      await registeredCustomerId(db, c.get('user'));
      const skus = form.lines.map((l) => l.sku);
      const known = await knownSkus(db, skus);
      const rejected: FormRejection[] = [...form.rejected];
      const valid = form.lines.filter((l) => {
        if (known.has(l.sku)) return true;
        rejected.push({ row: l.row, sku: l.sku, reason: 'товара с таким SKU нет в каталоге' });
        return false;
      });
      rejected.sort((a, b) => a.row - b.row);
      const set = valid.filter((l) => l.quantity > 0);
      const removed = valid.filter((l) => l.quantity === 0);
      // Said with the count before the database is asked: the cart could never take them all.
      if (set.length > MAX_CART_LINES)
        throw new Problem('too_many_lines', `В бланке заполнено ${set.length} позиций, а в корзине помещается не больше ${MAX_CART_LINES}: разделите заказ`);
      // One transaction: the cart gets the whole file's valid rows or none of them.
      await applyOrderForm(db, customerId, { set, removed });
      return c.json({ added: set.length, removed: removed.length, rejected }, 200);
    });
}
