import { createRoute, z } from '@hono/zod-openapi';
import { productExists } from '../../db/catalog.repository.js';
import { findInvoice } from '../../db/invoices.repository.js';
import { recordPlacedOrder } from '../../db/orders.repository.js';
import { cancelWaitlistEntry, findWaitlistEntry, joinWaitlist, listWaitlist, type WaitlistEntry } from '../../db/waitlist.repository.js';
import { orderWorkflowId } from '../../core/contracts/ids.js';
import { addItemsUpdate } from '../../core/contracts/invoice-messages.js';
import { MAX_LINE_QUANTITY } from '../../core/domain/limits.js';
import type { orderWorkflow } from '../../workflows/order.workflow.js';
import { registeredCustomerId, requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { resourceId, stableUuid, startOnce } from '../idempotency.js';
import { command, sendInvoiceCommand } from '../invoice-commands.js';
import { commonErrors, createRouter, json, problem, Sku, type ApiDeps } from '../router.js';
import { pokeAfterCommit } from '../waitlist-poke.js';

/** The waitlist ("сообщить о поступлении"), beyond API.md: a place in line per SKU, offers that hold stock for a while. */

const STATUS_LABELS = {
  waiting: 'Ожидает поступления',
  offered: 'Товар отложен для вас',
  claimed: 'Оформлен',
  cancelled: 'Отменён',
  lapsed: 'Резерв истёк',
  expired: 'Срок ожидания истёк',
} as const;

const EntrySchema = z
  .object({
    id: z.uuid(),
    sku: z.string(),
    name: z.string(),
    quantity: z.number().int(),
    status: z.enum(['waiting', 'offered', 'claimed', 'cancelled', 'lapsed', 'expired']),
    statusLabel: z.string(),
    held: z.number().int().openapi({ description: 'pieces kept for you while the status is "offered"' }),
    holdUntil: z.string().nullable(),
    waitUntil: z.string(),
    position: z.number().int().nullable().openapi({ description: 'place in line (1 = first) while waiting or offered' }),
    invoiceId: z.uuid().nullable().openapi({ description: 'the invoice you asked from, if any' }),
    claimedInvoiceId: z.uuid().nullable().openapi({ description: 'the invoice your claim put the pieces into' }),
    createdAt: z.string(),
  })
  .openapi('WaitlistEntry');
const view = ({ customerId: _mine, ...e }: WaitlistEntry) => ({ ...e, statusLabel: STATUS_LABELS[e.status] });
const IdParam = z.object({ id: z.uuid() });

const listRoute = createRoute({
  method: 'get',
  path: '/v1/waitlist',
  summary: 'Your places in line for SKUs out of stock',
  responses: { 200: json(z.object({ items: z.array(EntrySchema) }), 'Waitlist'), ...commonErrors },
});
const joinRoute = createRoute({
  method: 'post',
  path: '/v1/waitlist',
  summary: 'Ask to be told when a SKU comes in ("сообщить о поступлении"); the first in line gets it held for a while',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({ sku: Sku, quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY), invoiceId: z.uuid().optional() }),
        },
      },
      required: true,
    },
  },
  responses: { 201: json(EntrySchema, 'Your place in line'), ...commonErrors, 409: problem('invalid_transition: already waiting for this SKU') },
});
const cancelRoute = createRoute({
  method: 'delete',
  path: '/v1/waitlist/{id}',
  summary: 'Leave the line; stock held for you goes to the next in line',
  request: { params: IdParam },
  responses: { 200: json(EntrySchema, 'The entry, cancelled'), ...commonErrors, 409: problem('invalid_transition') },
});
const claimRoute = createRoute({
  method: 'post',
  path: '/v1/waitlist/{id}/claim',
  summary: 'Take what is held for you: into a new order, or added to an open invoice; the held pieces pass to it',
  request: {
    params: IdParam,
    body: {
      content: { 'application/json': { schema: z.object({ target: z.union([z.literal('new'), z.object({ invoiceId: z.uuid() })]) }) } },
      required: true,
    },
  },
  responses: {
    202: json(z.object({ orderId: z.uuid().optional(), invoiceId: z.uuid().optional() }), 'Order placed or items being added'),
    ...commonErrors,
    409: problem('invalid_transition: nothing is held for you (the hold lapsed, or was taken)'),
  },
});

export function waitlistRoutes(deps: ApiDeps) {
  const { db, temporal, config } = deps;
  const poke = (sku: string) => pokeAfterCommit(deps, sku);
  async function mine(customerId: string, id: string) {
    const entry = await findWaitlistEntry(db, id, customerId);
    if (!entry) throw new Problem('not_found', 'Запись листа ожидания не найдена');
    return entry;
  }

  const router = createRouter();
  router.use('/v1/waitlist', requireRole('customer'));
  router.use('/v1/waitlist/*', requireRole('customer'));
  return router
    .openapi(listRoute, async (c) => {
      const customerId = await registeredCustomerId(db, c.get('user'));
      return c.json({ items: (await listWaitlist(db, customerId)).map(view) }, 200);
    })
    .openapi(joinRoute, async (c) => {
      const customerId = await registeredCustomerId(db, c.get('user'));
      const { sku, quantity, invoiceId } = c.req.valid('json');
      if (!(await productExists(db, sku))) throw new Problem('unknown_sku', `Товара ${sku} нет в каталоге`);
      if (invoiceId && !(await findInvoice(db, invoiceId, { customerId }))) throw new Problem('not_found', 'Счёт не найден');
      const waitUntil = new Date(Date.now() + config.waitlist.ttlMs).toISOString();
      const joined = await joinWaitlist(db, { id: resourceId(c), customerId, sku, quantity, waitUntil, invoiceId: invoiceId ?? null });
      if ('already' in joined) {
        throw new Problem(
          'invalid_transition',
          `Вы уже в листе ожидания ${sku} (${joined.already.quantity} шт.): отмените ту запись, чтобы изменить количество`,
        );
      }
      // Stock may be free right now (or come free a moment later): the line looks at once.
      await poke(sku);
      return c.json(view(joined.entry), 201, { Location: `/v1/waitlist/${joined.entry.id}` });
    })
    .openapi(cancelRoute, async (c) => {
      const customerId = await registeredCustomerId(db, c.get('user'));
      const before = await mine(customerId, c.req.valid('param').id);
      if (before.status !== 'waiting' && before.status !== 'offered') {
        throw new Problem('invalid_transition', `Запись уже закрыта: ${STATUS_LABELS[before.status].toLowerCase()}`);
      }
      const done = await cancelWaitlistEntry(db, before.id, customerId);
      if (!done) throw new Problem('not_found', 'Запись листа ожидания не найдена');
      // What it held is free again: the next in line gets it.
      if (done.released > 0) await poke(before.sku);
      return c.json(view(done.entry), 200);
    })
    .openapi(claimRoute, async (c) => {
      const customerId = await registeredCustomerId(db, c.get('user'));
      const entry = await mine(customerId, c.req.valid('param').id);
      if (entry.status !== 'offered' || entry.held === 0) {
        throw new Problem('invalid_transition', `Для вас ничего не отложено: ${STATUS_LABELS[entry.status].toLowerCase()}`);
      }
      const lines = [{ sku: entry.sku, quantity: entry.held }];
      const { target } = c.req.valid('json');
      if (target !== 'new') {
        const invoice = await findInvoice(db, target.invoiceId, { customerId });
        if (!invoice) throw new Problem('not_found', 'Счёт не найден');
        // One claim, one addition: a repeat is answered by the invoice from its request ids.
        await sendInvoiceCommand(temporal, invoice, addItemsUpdate, { ...command(c), requestId: `waitlist-claim/${entry.id}`, lines, claims: [entry.id] });
        return c.json({ invoiceId: invoice.id }, 202, { Location: `/v1/invoices/${invoice.id}` });
      }
      // The same offer never becomes a second order, however often it is claimed.
      const orderId = stableUuid('waitlist-claim', entry.id);
      await startOnce(
        temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
          workflowId: orderWorkflowId(orderId),
          taskQueue: config.temporal.taskQueue,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [{ orderId, customerId, lines, placedAt: new Date().toISOString(), settings: config.durations, claims: [entry.id] }],
          staticSummary: `Заказ ${orderId} из листа ожидания: ${entry.sku}`,
        }),
      );
      await recordPlacedOrder(db, { id: orderId, customerId, lines }, []);
      return c.json({ orderId }, 202, { Location: `/v1/orders/${orderId}` });
    });
}
