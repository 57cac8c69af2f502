import { createRoute, z } from '@hono/zod-openapi';
import { readEvents } from '../../db/outbox.repository.js';
import { listDeliveries, replayDead, skipDead } from '../../db/webhooks.repository.js';
import { requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { DeliverySchema, EventSchema, EventTypeSchema } from '../events.schemas.js';
import { commonErrors, createRouter, json, type ApiDeps } from '../router.js';

const feedRoute = createRoute({
  method: 'get',
  path: '/v1/events',
  summary: 'Admin (ERP connector): the business events after a position, oldest first',
  description:
    'Pull instead of (or besides) webhooks: start with after=0, then pass `next`. Events commit in `seq` order, so a page never skips one that appears later.',
  request: {
    query: z.object({
      after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: json(
      z.object({
        items: z.array(EventSchema),
        next: z.number().int().openapi({ description: 'pass as `after` for the next page (the last seq read, or `after` when none)' }),
        hasMore: z.boolean(),
      }),
      'Events',
    ),
    ...commonErrors,
  },
});

const deliveriesRoute = createRoute({
  method: 'get',
  path: '/v1/admin/webhook-deliveries',
  summary: 'Admin: webhook deliveries by status (dead letters by default)',
  request: {
    query: z.object({
      status: z.enum(['dead', 'pending', 'delivered', 'skipped']).default('dead'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z
        .string()
        .regex(/^\d{1,18}$/)
        .optional(),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(DeliverySchema), nextCursor: z.string().nullable() }), 'Deliveries, oldest first'), ...commonErrors },
});

const replayOneRoute = createRoute({
  method: 'post',
  path: '/v1/admin/webhook-deliveries/{id}/replay',
  summary: 'Admin: send a dead letter again (fresh attempts); later events of its invoice follow it',
  request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/) }) },
  responses: { 200: json(z.object({ replayed: z.number().int() }), 'Back in line'), ...commonErrors },
});

const skipRoute = createRoute({
  method: 'post',
  path: '/v1/admin/webhook-deliveries/{id}/skip',
  summary: 'Admin: give up on a dead letter the receiver will never take; later events of its invoice go on (the feed still has it)',
  request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/) }) },
  responses: { 200: json(z.object({ skipped: z.number().int() }), 'Skipped'), ...commonErrors },
});

const replayAllRoute = createRoute({
  method: 'post',
  path: '/v1/admin/webhook-deliveries/replay',
  summary: 'Admin: send every dead letter again',
  responses: { 200: json(z.object({ replayed: z.number().int() }), 'Back in line'), ...commonErrors },
});

export function eventRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/events', requireRole('admin'));
  router.use('/v1/admin/*', requireRole('admin'));
  router.openAPIRegistry.register('EventType', EventTypeSchema);
  // What a configured endpoint receives (OpenAPI 3.1 `webhooks`), headers included.
  router.openAPIRegistry.registerWebhook({
    method: 'post',
    path: 'erpEvent',
    summary: 'An event POSTed to each WEBHOOK_URLS endpoint: at least once, in order per invoice (or customer) per endpoint',
    request: {
      headers: z.object({
        'X-Event-Id': z.uuid().openapi({ description: 'the event id: deduplicate by it' }),
        'X-Event-Type': EventTypeSchema,
        'X-Event-Seq': z.string(),
        'X-Webhook-Timestamp': z.string().openapi({ description: 'Unix seconds of this attempt' }),
        'X-Webhook-Signature': z.string().openapi({ description: 'sha256=<hex HMAC-SHA256(WEBHOOK_SECRET, `${X-Webhook-Timestamp}.${raw body}`)>' }),
      }),
      body: { content: { 'application/json': { schema: EventSchema } }, required: true },
    },
    responses: { 200: { description: 'Any 2xx: delivered. Anything else or no answer within WEBHOOK_TIMEOUT: retried with back-off' } },
  });
  return router
    .openapi(feedRoute, async (c) => {
      const { after, limit } = c.req.valid('query');
      const rows = await readEvents(db, after, limit + 1);
      const items = rows.slice(0, limit);
      return c.json({ items: items as z.infer<typeof EventSchema>[], next: items.at(-1)?.seq ?? after, hasMore: rows.length > limit }, 200);
    })
    .openapi(deliveriesRoute, async (c) => {
      const { status, limit, cursor } = c.req.valid('query');
      const rows = await listDeliveries(db, { status, limit: limit + 1, ...(cursor ? { afterId: cursor } : {}) });
      const items = rows.slice(0, limit);
      return c.json({ items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null }, 200);
    })
    .openapi(replayOneRoute, async (c) => {
      const replayed = await replayDead(db, c.req.valid('param').id);
      if (replayed === 0) throw new Problem('not_found', 'Нет такой недоставленной записи');
      return c.json({ replayed }, 200);
    })
    .openapi(skipRoute, async (c) => {
      const skipped = await skipDead(db, c.req.valid('param').id);
      if (skipped === 0) throw new Problem('not_found', 'Нет такой недоставленной записи');
      return c.json({ skipped }, 200);
    })
    .openapi(replayAllRoute, async (c) => c.json({ replayed: await replayDead(db) }, 200));
}
