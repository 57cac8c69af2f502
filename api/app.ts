import { randomUUID } from 'node:crypto';
import { swaggerUI } from '@hono/swagger-ui';
import { sql } from 'kysely';
import { authenticate } from './auth.js';
import { problemResponse, toProblem } from './errors.js';
import { idempotency } from './idempotency.js';
import { installUploadLimits } from './uploads.js';
import { createRouter, type ApiDeps } from './router.js';
import { adminRoutes } from './routes/admin.routes.js';
import { cartRoutes } from './routes/cart.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { documentRoutes } from './routes/documents.routes.js';
import { invoiceRoutes } from './routes/invoices.routes.js';
import { managerRoutes } from './routes/manager.routes.js';
import { orderFormRoutes } from './routes/order-form.routes.js';
import { orderRoutes } from './routes/orders.routes.js';
import { paymentRoutes } from './routes/payments.routes.js';
import { realizationRoutes } from './routes/realizations.routes.js';
import { settingsRoutes } from './routes/settings.routes.js';
import { warehouseRoutes } from './routes/warehouse.routes.js';

/** The whole HTTP API as one Hono app; `app.request()` drives it in tests without a socket. */
export function createApp(deps: ApiDeps) {
  const app = createRouter();

  app.use('*', async (c, next) => {
    const requestId = c.req.header('X-Request-Id') ?? randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    deps.logger.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  app.onError((err, c) => {
    const problem = toProblem(err, deps.logger, c.get('requestId'));
    return problemResponse(c, problem.code, problem.detail, problem.errors);
  });
  app.notFound((c) => problemResponse(c, 'not_found', `Нет такого адреса: ${c.req.method} ${c.req.path}`));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks = await Promise.allSettled([sql`select 1`.execute(deps.db), deps.temporal.workflowService.getSystemInfo({})]);
    const [database, temporal] = checks.map((r) => (r.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const ready = database === 'ok' && temporal === 'ok';
    return c.json({ status: ready ? 'ready' : 'not_ready', database, temporal }, ready ? 200 : 503);
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Wholesale orders API', version: '1.0.0', description: 'Оптовый личный кабинет: корзина, заказы, счета, документы.' },
    security: [{ bearerAuth: [] }],
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

  app.use('/v1/*', authenticate(deps.config.jwtSecret));
  // Before idempotency, which buffers the body to hash it.
  installUploadLimits(app);
  app.use('/v1/*', idempotency(deps.db));

  for (const routes of [
    catalogRoutes,
    cartRoutes,
    orderRoutes,
    invoiceRoutes,
    realizationRoutes,
    settingsRoutes,
    managerRoutes,
    adminRoutes,
    warehouseRoutes,
    documentRoutes,
    orderFormRoutes,
    paymentRoutes,
  ]) {
    app.route('/', routes(deps));
  }
  return app;
}
