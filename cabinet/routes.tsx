/** @jsxImportSource hono/jsx */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { homeOf, render } from './layout.js';
import { catalogPages } from './pages/catalog.js';
import { cartPages } from './pages/cart.js';
import { documentPages } from './pages/documents.js';
import { invoicePages } from './pages/invoice.js';
import { invoiceListPages } from './pages/invoices.js';
import { loginPages, type DemoSignIn } from './pages/login.js';
import { orderPages } from './pages/order.js';
import { settingsPages } from './pages/settings.js';
import { waitlistPages } from './pages/waitlist.js';
import { warehousePages } from './pages/warehouse.js';
import { loadSession, requireSession, type ApiFetch, type CabinetEnv } from './session.js';

/**
 * The customer cabinet: server-rendered pages (Hono JSX) with htmx for partial updates, mounted by
 * api/app.ts at /cabinet. It reads and writes only through the public HTTP API (`api`: the same
 * process's app), under the signed-in user's token, so it shows exactly what the portal would.
 */
export interface CabinetDeps {
  api: ApiFetch;
  /** Demo sign-in buttons; given only in development (api/app.ts decides). */
  demo?: DemoSignIn | undefined;
}

/** Read once: htmx from its npm package (no CDN), the style sheets next to this file. */
let assets: Map<string, { body: string; type: string }> | undefined;
function staticAsset(name: string) {
  assets ??= new Map([
    ['htmx.min.js', { body: readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8'), type: 'text/javascript' }],
    ...['base.css', 'pages.css'].map((css) => [css, { body: readFileSync(new URL(`./static/${css}`, import.meta.url), 'utf8'), type: 'text/css' }] as const),
  ]);
  return assets.get(name);
}

export function cabinetRoutes(deps: CabinetDeps): Hono<CabinetEnv> {
  const app = new Hono<CabinetEnv>();
  app.use('*', async (c, next) => {
    await next();
    // Only our own scripts and styles; no framing; a ?token= never leaks through Referer;
    // pages hold a company's data, so no shared caches.
    c.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.get('/static/:name', (c) => {
    const asset = staticAsset(c.req.param('name'));
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { 'Content-Type': `${asset.type}; charset=utf-8`, 'Cache-Control': 'public, max-age=3600' });
  });

  // The session cookie is sent by the browser on its own, so every unsafe request must come from
  // our own pages: the Origin (or Sec-Fetch-Site) must be this site's, else 403. SameSite=Lax on
  // the cookie is the second wall.
  app.use('*', csrf());
  app.onError((err, c) => {
    // The CSRF refusal (and any other framework answer) as a page; anything else is a bug, left
    // to the API's handler, which logs it with the request id and answers 500.
    if (!(err instanceof HTTPException)) throw err;
    const forbidden = err.status === 403;
    const text = forbidden ? 'Запрос отклонён: форма отправлена не со страницы кабинета. Откройте кабинет и повторите действие.' : 'Запрос не выполнен.';
    return render(
      c,
      { title: 'Действие не выполнено', error: text, status: err.status },
      <p>
        <a href="/cabinet">В кабинет</a>
      </p>,
    );
  });
  app.use('*', loadSession(deps.api));
  app.get('/', (c) => {
    const claims = c.get('session')?.claims;
    return c.redirect(claims ? homeOf(claims.role) : '/cabinet/login', 303);
  });
  loginPages(app, deps.api, deps.demo);

  app.use('*', requireSession());
  catalogPages(app);
  cartPages(app);
  orderPages(app);
  invoiceListPages(app);
  invoicePages(app);
  documentPages(app);
  settingsPages(app);
  waitlistPages(app);
  warehousePages(app);
  // Mounted under the API, whose own 404 is problem+json: a person gets a page.
  app.all('*', (c) =>
    render(
      c,
      { title: 'Страница не найдена', status: 404 },
      <p>
        <a href="/cabinet">В кабинет</a>
      </p>,
    ),
  );
  return app;
}
