/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { FormKey, keyHeaders } from '../forms.js';
import { Alert, moscowTime, problemPage, render, rub } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';
import { OPEN_STATUSES } from './cart.js';
import { waitlistJoinPages } from './waitlist-join.js';

/**
 * «Лист ожидания»: the customer's places in line for goods out of stock. An offer is made in the
 * background (the worker's waker), so while anything waits or is held the list asks again every
 * few seconds; the held pieces are then taken into a new order or an open invoice.
 */

type Entry = ResponseData<CabinetClient['api']['v1']['waitlist']['$get']>['items'][number];
type Invoice = ResponseData<CabinetClient['api']['v1']['invoices']['$get']>['items'][number];

const POLL_SECONDS = 3;
const NOTICES: Record<string, string> = {
  left: 'Запись убрана из листа ожидания.',
};

const live = (e: Entry) => e.status === 'waiting' || e.status === 'offered';

function Offer({ entry, invoices }: { entry: Entry; invoices: Invoice[] }) {
  const select = `wl-inv-${entry.id}`;
  return (
    <div class="wl-offer">
      <p>
        Отложено для вас: <strong>{entry.held} шт.</strong> до <strong>{moscowTime(entry.holdUntil)} (МСК)</strong>
      </p>
      <form method="post" action={`/cabinet/waitlist/${entry.id}/claim`} class="inline">
        <FormKey />
        <input type="hidden" name="target" value="new" />
        <button type="submit" class="primary" aria-label={`В новый заказ: ${entry.name}`}>
          В новый заказ
        </button>
      </form>
      {invoices.length > 0 ? (
        <form method="post" action={`/cabinet/waitlist/${entry.id}/claim`} class="wl-to-invoice">
          <FormKey />
          <label for={select}>Счёт для товара «{entry.name}»</label>
          {/* Kept as chosen when the list refreshes itself. */}
          <select id={select} name="target" hx-preserve="true">
            {invoices.map((invoice) => (
              <option value={invoice.id} selected={invoice.id === entry.invoiceId}>
                {invoice.number} ({invoice.statusLabel}, {rub(invoice.total)})
              </option>
            ))}
          </select>
          <button type="submit" aria-label={`Добавить в счёт: ${entry.name}`}>
            Добавить в счёт
          </button>
        </form>
      ) : (
        <p class="muted">Открытых счетов, в которые можно добавить товар, нет.</p>
      )}
    </div>
  );
}

function EntryCard({ entry, invoices }: { entry: Entry; invoices: Invoice[] }) {
  return (
    <li class={`wl-entry ${entry.status}`} aria-labelledby={`wl-${entry.id}`}>
      <h2 id={`wl-${entry.id}`} class="product-name">
        {entry.name}
      </h2>
      <p class="muted">
        {entry.sku} · {entry.quantity} шт.
      </p>
      <p>
        <span class={`badge wl-${entry.status}`}>{entry.statusLabel}</span>
        {entry.status === 'waiting' && entry.position !== null && <span class="wl-place"> Место в очереди: {entry.position}</span>}
      </p>
      {entry.status === 'offered' && entry.held > 0 && <Offer entry={entry} invoices={invoices} />}
      {(entry.claimedInvoiceId ?? entry.invoiceId) && !live(entry) && (
        <p>
          <a href={`/cabinet/invoices/${entry.claimedInvoiceId ?? entry.invoiceId ?? ''}`}>Открыть счёт</a>
        </p>
      )}
      {live(entry) && (
        <form method="post" action={`/cabinet/waitlist/${entry.id}/delete`} class="inline">
          <button type="submit" class="secondary" aria-label={`Убрать из листа: ${entry.name}`}>
            Убрать из листа
          </button>
        </form>
      )}
    </li>
  );
}

/** What the list shows, in short: a poll that finds the same answers 204 and nothing is redrawn. */
function versionOf(entries: Entry[], invoices: Invoice[]): string {
  const shown = [entries.map((e) => [e.id, e.status, e.held, e.position, e.holdUntil]), invoices.map((i) => [i.id, i.statusLabel, i.total])];
  // FNV-1a: a change detector, not a secret (the cabinet imports nothing but the API's client).
  let hash = 0x811c9dc5;
  for (const ch of JSON.stringify(shown)) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return (hash >>> 0).toString(36);
}

/**
 * The list; while something is live it polls itself (outerHTML) with the version it shows, and an
 * answer with nothing live stops it. Redrawn only on a change, so a chosen invoice or a focused
 * button stays, and the live region around it announces real changes only.
 */
function WaitlistView({ entries, invoices, problem }: { entries: Entry[]; invoices: Invoice[]; problem?: string | undefined }) {
  const polling = entries.some(live);
  const poll = `/cabinet/waitlist/list?v=${versionOf(entries, invoices)}`;
  const attrs = polling ? { 'hx-get': poll, 'hx-trigger': `every ${POLL_SECONDS}s`, 'hx-swap': 'outerHTML' } : {};
  return (
    <section id="waitlist" aria-label="Записи листа ожидания" {...attrs}>
      <Alert text={problem} />
      {polling && (
        <p class="waiting wl-poll">
          <span class="spinner" aria-hidden="true"></span> Список обновляется сам каждые {POLL_SECONDS} с: отложенный товар появится здесь.
        </p>
      )}
      {entries.length === 0 ? (
        <p>
          Лист ожидания пуст. Нажмите «Сообщить о поступлении» у товара, которого нет в наличии, в <a href="/cabinet/catalog">каталоге</a> или в счёте.
        </p>
      ) : (
        <ul class="wl-list">
          {entries.map((entry) => (
            <EntryCard entry={entry} invoices={invoices} />
          ))}
        </ul>
      )}
    </section>
  );
}

type Loaded = { ok: true; entries: Entry[]; invoices: Invoice[] } | { ok: false; problem: Parameters<typeof problemPage>[1] };

async function load(c: Context<CabinetEnv>): Promise<Loaded> {
  const { client } = session(c);
  const list = await client.call(client.api.v1.waitlist.$get());
  if (!list.ok) return { ok: false, problem: list.problem };
  // The invoices matter only to an offer; an unreadable list of them just hides that choice.
  const offered = list.data.items.some((e) => e.status === 'offered');
  const open = offered ? await client.call(client.api.v1.invoices.$get({ query: { status: OPEN_STATUSES, limit: '50' } })) : undefined;
  const invoices = open?.ok ? open.data.items.filter((i) => i.allowedActions.includes('addItems')) : [];
  return { ok: true, entries: list.data.items, invoices };
}

async function waitlistPage(c: Context<CabinetEnv>, message: { error?: string | undefined; notice?: string | undefined; status?: number } = {}) {
  const loaded = await load(c);
  if (!loaded.ok) return problemPage(c, loaded.problem, 'Лист ожидания');
  const view = (
    <div aria-live="polite">
      <WaitlistView entries={loaded.entries} invoices={loaded.invoices} />
    </div>
  );
  return render(c, { title: 'Лист ожидания', ...message }, view);
}

export function waitlistPages(app: Hono<CabinetEnv>): void {
  app.get('/waitlist', (c) => waitlistPage(c, { notice: NOTICES[c.req.query('notice') ?? ''] }));

  app.get('/waitlist/list', async (c) => {
    const loaded = await load(c);
    if (loaded.ok) {
      if (c.req.query('v') === versionOf(loaded.entries, loaded.invoices)) return c.body(null, 204);
      return c.html(<WaitlistView entries={loaded.entries} invoices={loaded.invoices} />);
    }
    if (loaded.problem.status === 401) return problemPage(c, loaded.problem);
    // A hiccup (503 while the API restarts) keeps the polling going, with the reason shown.
    return c.html(
      <section id="waitlist" hx-get="/cabinet/waitlist/list" hx-trigger={`every ${POLL_SECONDS}s`} hx-swap="outerHTML">
        <Alert text={loaded.problem.detail} />
      </section>,
    );
  });

  app.post('/waitlist/:id/claim', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const target = typeof form.target === 'string' && form.target !== 'new' ? { invoiceId: form.target } : ('new' as const);
    const result = await client.call(client.api.v1.waitlist[':id'].claim.$post({ param: { id }, json: { target } }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : waitlistPage(c, { error: result.problem.detail, status: result.status });
    const { orderId, invoiceId } = result.data;
    // As the cart's checkout: a new order shows its progress, an invoice shows itself.
    if (orderId) return c.redirect(`/cabinet/orders/${orderId}`, 303);
    return c.redirect(`/cabinet/invoices/${invoiceId ?? ''}?notice=waitlist`, 303);
  });

  app.post('/waitlist/:id/delete', async (c) => {
    const { client } = session(c);
    const result = await client.call(client.api.v1.waitlist[':id'].$delete({ param: { id: c.req.param('id') } }));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : waitlistPage(c, { error: result.problem.detail, status: result.status });
    return c.redirect('/cabinet/waitlist?notice=left', 303);
  });

  waitlistJoinPages(app);
}
