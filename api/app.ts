import { randomUUID } from 'node:crypto';
import { swaggerUI } from '@hono/swagger-ui';
import { cabinetRoutes } from '../cabinet/routes.js';
import { authenticate } from './auth.js';
import { jsonBodies, rejectNulInUrl } from './body.js';
import { Problem, problemResponse, toProblem } from './errors.js';
import { idempotency } from './idempotency.js';
import { demoSignIn } from './demo-users.js';
import { createMetrics } from './metrics.js';
import { completeOpenApiDocument } from './openapi.js';
import { writeRateLimit } from './rate-limit.js';
import { readiness } from './readiness.js';
import { activeTraceId, traceRequests } from './tracing.js';
import { installUploadLimits, UPLOAD_ROUTES } from './uploads.js';
import { createRouter, type ApiDeps } from './router.js';
import { adminRoutes } from './routes/admin.routes.js';
import { cartRoutes } from './routes/cart.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { documentRoutes } from './routes/documents.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { invoiceRoutes } from './routes/invoices.routes.js';
import { managerRoutes } from './routes/manager.routes.js';
import { orderFormRoutes } from './routes/order-form.routes.js';
import { orderRoutes } from './routes/orders.routes.js';
import { paymentRoutes } from './routes/payments.routes.js';
import { realizationRoutes } from './routes/realizations.routes.js';
import { settingsRoutes } from './routes/settings.routes.js';
import { stockBatchRoutes } from './routes/stock-batches.routes.js';
import { waitlistRoutes } from './routes/waitlist.routes.js';
import { warehouseRoutes } from './routes/warehouse.routes.js';

const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The whole HTTP API as one Hono app; `app.request()` drives it in tests without a socket. */
export function createApp(deps: ApiDeps) {
  const app = createRouter();
  const { limits, timeouts } = deps.config;
  const metrics = createMetrics(deps.db, deps.logger);
  // First: it then sees every answer, problem responses and 404s included.
  app.use('*', metrics.middleware);

  app.use('*', traceRequests());
  app.use('*', async (c, next) => {
    const given = c.req.header('X-Request-Id');
    // With tracing on, a request without its own id is answered with its trace id: one id for
    // logs and traces. Log lines carry traceId either way (runtime/logger.ts).
    const requestId = given && /^[\w.:-]{1,128}$/.test(given) ? given : (activeTraceId() ?? randomUUID());
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    deps.logger.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  app.onError((err, c) => {
    const problem = toProblem(err, deps.logger, c.get('requestId'));
    return problemResponse(c, problem.code, problem.detail, problem.errors, problem.headers);
  });
  app.notFound((c) => problemResponse(c, 'not_found', `Нет такого адреса: ${c.req.method} ${c.req.path}`));

  // TRACE, CONNECT and made-up methods: 405, not a 404 that suggests the path is wrong.
  app.use('*', async (c, next) => {
    if (!ALLOWED_METHODS.includes(c.req.method)) {
      throw new Problem('method_not_allowed', `Метод ${c.req.method.slice(0, 20)} не поддерживается`, undefined, { Allow: ALLOWED_METHODS.join(', ') });
    }
    await next();
  });
  app.use('*', rejectNulInUrl());

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', readiness(deps));
  app.get('/metrics', metrics.handler);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  let openApiDocument: unknown;
  app.get('/openapi.json', (c) => {
    openApiDocument ??= completeOpenApiDocument(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'Wholesale orders API', version: '1.0.0', description: 'Оптовый личный кабинет: корзина, заказы, счета, документы.' },
        security: [{ bearerAuth: [] }],
      }),
    );
    return c.json(openApiDocument);
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

  // Every Temporal call a request makes has a deadline: a stuck or unreachable server is a 503,
  // never a hanging request.
  app.use('/v1/*', (_c, next) => deps.temporal.withDeadline(Date.now() + timeouts.temporalMs, () => next()));
  app.use('/v1/*', authenticate(deps.config.auth));
  app.use('/v1/*', writeRateLimit(limits.writesPerMinute, limits.writeBurst));
  // Before idempotency, which hashes the body: limits first, then one parse for every JSON route.
  installUploadLimits(app);
  app.use('/v1/*', jsonBodies(limits.jsonBodyBytes, UPLOAD_ROUTES));
  app.use('/v1/*', idempotency(deps.db));

  // Chained, not looped: each `.route()` adds its module's routes to the returned type, so
  // `AppType` (and the typed client over it) knows every /v1 route's input and output.
  const api = app
    .route('/', catalogRoutes(deps))
    .route('/', cartRoutes(deps))
    .route('/', orderRoutes(deps))
    .route('/', invoiceRoutes(deps))
    .route('/', realizationRoutes(deps))
    .route('/', settingsRoutes(deps))
    .route('/', managerRoutes(deps))
    .route('/', adminRoutes(deps))
    .route('/', warehouseRoutes(deps))
    .route('/', documentRoutes(deps))
    .route('/', orderFormRoutes(deps))
    .route('/', paymentRoutes(deps))
    .route('/', eventRoutes(deps))
    .route('/', stockBatchRoutes(deps))
    .route('/', waitlistRoutes(deps));
  // The browser cabinet: outside /v1 and the OpenAPI document, a client of the routes above
  // through `app.request`, exactly as the portal is over HTTP.
  app.route('/cabinet', cabinetRoutes({ api: (request) => api.request(request), demo: demoSignIn(deps.config) }));
  return api;
}

/** The API's type: every /v1 route with its params, query, headers, body and answers (for `client/`). */
export type AppType = ReturnType<typeof createApp>;
