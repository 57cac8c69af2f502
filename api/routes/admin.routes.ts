import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { upsertProduct } from '../../db/catalog.repository.js';
import { createCustomer } from '../../db/customers.repository.js';
import { latestEmails } from '../../db/email-log.repository.js';
import { parseRoubles } from '../../core/domain/money.js';
import { requireRole } from '../auth.js';
import { commonErrors, createRouter, json, MoneyInput, Sku, type ApiDeps } from '../router.js';

const CustomerInput = z
  .object({
    name: z.string().trim().min(1).max(300),
    email: z.email(),
    inn: z
      .string()
      .regex(/^(\d{10}|\d{12})$/, 'ИНН: 10 или 12 цифр')
      .optional(),
    managerEmail: z.email(),
  })
  .openapi('CustomerInput');

const ProductInput = z
  .object({
    article: z.string().trim().min(1).max(64),
    name: z.string().trim().min(1).max(300),
    characteristic: z.string().trim().min(1).max(200).optional(),
    unit: z.string().trim().min(1).max(16).optional(),
    price: MoneyInput,
    piecesPerBox: z.number().int().min(1).max(100_000),
    certificate: z.object({ number: z.string().trim().min(1).max(100), validUntil: z.iso.date() }).optional(),
  })
  .openapi('ProductInput');

const createCustomerRoute = createRoute({
  method: 'post',
  path: '/v1/admin/customers',
  summary: 'Create a customer company',
  request: { body: { content: { 'application/json': { schema: CustomerInput } }, required: true } },
  responses: { 201: json(z.object({ id: z.uuid() }), 'Created'), ...commonErrors },
});

const upsertProductRoute = createRoute({
  method: 'put',
  path: '/v1/admin/products/{sku}',
  summary: 'Create or replace a catalog SKU',
  request: { params: z.object({ sku: Sku }), body: { content: { 'application/json': { schema: ProductInput } }, required: true } },
  responses: { 200: json(z.object({ sku: z.string(), created: z.boolean() }), 'Saved'), ...commonErrors },
});

const outboxRoute = createRoute({
  method: 'get',
  path: '/v1/admin/outbox',
  summary: 'Emails the system sent or stored (the local outbox when Resend is not configured)',
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: {
    200: json(
      z.object({
        items: z.array(
          z.object({ key: z.string(), kind: z.string(), to: z.string(), subject: z.string(), text: z.string(), status: z.string(), createdAt: z.string() }),
        ),
      }),
      'Emails, newest first',
    ),
    ...commonErrors,
  },
});

export function adminRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/admin/*', requireRole('admin'));
  return router
    .openapi(createCustomerRoute, async (c) => {
      const body = c.req.valid('json');
      const id = randomUUID();
      await createCustomer(db, { id, name: body.name, email: body.email, inn: body.inn ?? null, managerEmail: body.managerEmail });
      return c.json({ id }, 201, { Location: `/v1/admin/customers/${id}` });
    })
    .openapi(upsertProductRoute, async (c) => {
      const { sku } = c.req.valid('param');
      const p = c.req.valid('json');
      const created = await upsertProduct(db, sku, {
        article: p.article,
        name: p.name,
        characteristic: p.characteristic ?? null,
        unit: p.unit ?? 'шт',
        priceKopecks: parseRoubles(p.price) ?? 0,
        piecesPerBox: p.piecesPerBox,
        certificateNumber: p.certificate?.number ?? null,
        certificateValidUntil: p.certificate?.validUntil ?? null,
      });
      return c.json({ sku, created }, 200);
    })
    .openapi(outboxRoute, async (c) => {
      const items = (await latestEmails(db, c.req.valid('query').limit)).map((e) => ({ ...e, createdAt: e.createdAt.toISOString() }));
      return c.json({ items }, 200);
    });
}
