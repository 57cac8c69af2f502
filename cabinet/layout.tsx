/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Problem } from '../client/index.js';
import { formatRoublesRu, parseRoubles } from '../core/domain/money.js';
import { endSession, type CabinetEnv, type Claims } from './session.js';

/** The page frame: header with the sections, one alert slot for the API's refusals, the content. */

const ROLE_LABELS: Record<string, string> = { customer: 'клиент', manager: 'менеджер', warehouse: 'склад', admin: 'администратор' };

// htmx: 4xx answers carry the API's reason, so they are swapped in like any page part; no inline
// style element (the Content-Security-Policy allows only our own files).
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[234]..', swap: true },
    { code: '...', swap: false, error: true },
  ],
});

export interface PageOptions {
  title: string;
  /** The API's Russian reason for a refused action. */
  error?: string | undefined;
  notice?: string | undefined;
  status?: number;
}

/** Each role's own sections: the customer's shop, the manager's customers, the warehouse's work. */
const MENUS: Record<string, { href: string; label: string }[]> = {
  customer: [
    { href: '/cabinet/catalog', label: 'Каталог' },
    { href: '/cabinet/cart', label: 'Корзина' },
    { href: '/cabinet/invoices', label: 'Счета' },
    { href: '/cabinet/waitlist', label: 'Лист ожидания' },
    { href: '/cabinet/realizations', label: 'Реализации' },
    { href: '/cabinet/payments', label: 'Оплата' },
    { href: '/cabinet/reports', label: 'Отчёты' },
    { href: '/cabinet/documents', label: 'Документы' },
    { href: '/cabinet/settings', label: 'Настройки' },
  ],
  manager: [
    { href: '/cabinet/invoices', label: 'Счета клиентов' },
    { href: '/cabinet/catalog', label: 'Каталог' },
  ],
  warehouse: [
    { href: '/cabinet/warehouse', label: 'К сборке' },
    { href: '/cabinet/warehouse?queue=shipped', label: 'Отгруженные' },
    { href: '/cabinet/warehouse/stock', label: 'Остатки' },
  ],
};

/** Where a role lands after signing in. */
export function homeOf(role: string): string {
  return MENUS[role]?.[0]?.href ?? '/cabinet/catalog';
}

function Nav({ claims }: { claims: Claims | undefined }) {
  if (!claims) return null;
  return (
    <nav aria-label="Разделы кабинета">
      {(MENUS[claims.role] ?? [{ href: '/cabinet/catalog', label: 'Каталог' }]).map((item) => (
        <a href={item.href}>{item.label}</a>
      ))}
      <span class="who">
        {ROLE_LABELS[claims.role] ?? claims.role}: {claims.sub}
      </span>
      <form method="post" action="/cabinet/logout" class="inline">
        <button type="submit" class="link">
          Выйти
        </button>
      </form>
    </nav>
  );
}

export function Alert({ text }: { text: string | undefined }) {
  return text ? (
    <p role="alert" class="alert">
      {text}
    </p>
  ) : null;
}

export function Layout({ title, claims, error, notice, children }: PageOptions & { claims: Claims | undefined; children: Child }) {
  return (
    <html lang="ru">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{title} — личный кабинет</title>
        <link rel="stylesheet" href="/cabinet/static/base.css" />
        <link rel="stylesheet" href="/cabinet/static/pages.css" />
        <script src="/cabinet/static/htmx.min.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/cabinet">
            Личный кабинет
          </a>
          <Nav claims={claims} />
        </header>
        <main>
          <h1>{title}</h1>
          <div id="messages">
            <Alert text={error} />
            {notice && (
              <p role="status" class="notice">
                {notice}
              </p>
            )}
          </div>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A whole page in the frame. */
export function render(c: Context<CabinetEnv>, options: PageOptions, body: Child) {
  const page = (
    <Layout {...options} claims={c.get('session')?.claims}>
      {body}
    </Layout>
  );
  return c.html(html`<!DOCTYPE html>${page}`, (options.status ?? 200) as ContentfulStatusCode);
}

/**
 * An API refusal rendered as a page: 401 means the token is gone or expired, so the session ends
 * and the sign-in page says why; anything else shows the API's own Russian `detail`.
 */
export function problemPage(c: Context<CabinetEnv>, problem: Problem, title = 'Действие не выполнено') {
  if (problem.status === 401) {
    endSession(c);
    if (c.req.header('HX-Request')) {
      c.header('HX-Redirect', '/cabinet/login');
      return c.body(null, 401);
    }
    return c.redirect(`/cabinet/login?expired=1`, 303);
  }
  if (c.req.header('HX-Request')) return c.html(<Alert text={problem.detail} />, problem.status as ContentfulStatusCode);
  return render(c, { title, error: problem.detail, status: problem.status }, <p>Вернитесь назад и попробуйте ещё раз.</p>);
}

/** Formats the API's "12490.00" as "12 490,00 ₽". */
export function rub(amount: string): string {
  const kopecks = parseRoubles(amount);
  return kopecks === undefined ? amount : formatRoublesRu(kopecks);
}

/** An ISO instant as a Moscow date and time, as the guide's customers read it. */
export function moscowTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}
