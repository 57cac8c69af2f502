import { createRoute, z } from '@hono/zod-openapi';
import { findInvoice } from '../../db/invoices.repository.js';
import { adjustInvoiceUpdate } from '../../core/contracts/invoice-messages.js';
import { MAX_INVOICE_LINES } from '../../core/domain/limits.js';
import { parseRoubles } from '../../core/domain/money.js';
import { requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { commonErrors, createRouter, json, MoneyInput, Quantity, Sku, type ApiDeps } from '../router.js';
import { InvoiceSchema, command, sendInvoiceCommand, visibilityOf } from '../invoice-commands.js';
import { invoiceView } from '../views.js';

const adjustRoute = createRoute({
  method: 'post',
  path: '/v1/manager/invoices/{id}/lines',
  summary: "Manager: change quantities or prices of the invoice's lines → changed",
  request: {
    params: z.object({ id: z.uuid() }),
    body: {
      content: {
        'application/json': {
          schema: z.object({
            lines: z
              .array(
                z
                  .object({ sku: Sku, quantity: Quantity.optional(), price: MoneyInput.optional() })
                  .refine((l) => l.quantity !== undefined || l.price !== undefined, 'quantity или price'),
              )
              .min(1)
              .max(MAX_INVOICE_LINES),
            comment: z.string().trim().min(1, 'объясните клиенту изменение').max(2000),
          }),
        },
      },
      required: true,
    },
  },
  responses: { 200: json(InvoiceSchema, 'The changed invoice'), ...commonErrors },
});

export function managerRoutes({ db, temporal }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/manager/*', requireRole('manager'));
  return router.openapi(adjustRoute, async (c) => {
    const invoice = await findInvoice(db, c.req.valid('param').id, visibilityOf(c.get('user')));
    if (!invoice) throw new Problem('not_found', 'Счёт не найден');
    const { lines, comment } = c.req.valid('json');
    const state = await sendInvoiceCommand(temporal, invoice, adjustInvoiceUpdate, {
      ...command(c),
      comment,
      lines: lines.map((l) => ({
        sku: l.sku,
        ...(l.quantity !== undefined ? { quantity: l.quantity } : {}),
        ...(l.price !== undefined ? { priceKopecks: parseRoubles(l.price) ?? 0 } : {}),
      })),
    });
    return c.json(invoiceView(state), 200, { ETag: `"${state.version}"` });
  });
}
