/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { INVOICE_STATUSES, STATUS_LABELS, type InvoiceStatus } from '../../core/domain/invoice.js';
import { moscowTime, problemPage, render, rub } from '../layout.js';
import { session, type CabinetEnv } from '../session.js';
import { MergeKey } from './invoice-actions.js';

/**
 * The invoices list ("Счета") with a status filter; labels come from the API's statusLabel. The
 * customer ticks the invoices the API allows to merge and merges them into a new one.
 */

const NOTICES: Record<string, string> = { unmerged: 'Объединение отменено: исходные счета восстановлены, объединённый счёт удалён.' };

/** Posts the ticked invoices (their boxes name this form); htmx shows the wait, the server redirects. */
function MergeForm() {
  return (
    <form
      id="merge"
      method="post"
      action="/cabinet/invoices/merge"
      class="merge"
      hx-post="/cabinet/invoices/merge"
      hx-target="#merge-result"
      hx-indicator="#merging"
      hx-disabled-elt="find button"
    >
      <MergeKey />
      <button type="submit" class="primary">
        Объединить выбранные
      </button>
      <p id="merging" class="waiting htmx-indicator" aria-live="polite">
        <span class="spinner" aria-hidden="true"></span> Объединяем счета…
      </p>
      <div id="merge-result" aria-live="polite"></div>
      <p class="muted">Отметьте два счёта или больше: позиции сложатся в новый счёт, резервы перейдут в него.</p>
    </form>
  );
}

const isStatus = (value: string | undefined): value is InvoiceStatus => INVOICE_STATUSES.includes(value as InvoiceStatus);

function StatusFilter({ status }: { status: InvoiceStatus | undefined }) {
  return (
    <form
      method="get"
      action="/cabinet/invoices"
      class="search"
      hx-get="/cabinet/invoices"
      hx-trigger="change"
      hx-target="#invoices"
      hx-select="#invoices"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <label for="status">Статус</label>
      <select id="status" name="status">
        <option value="">Все счета</option>
        {INVOICE_STATUSES.map((s) => (
          <option value={s} selected={s === status}>
            {STATUS_LABELS[s]}
          </option>
        ))}
      </select>
      <button type="submit">Показать</button>
    </form>
  );
}

export function invoiceListPages(app: Hono<CabinetEnv>): void {
  app.get('/invoices', async (c) => {
    const { client } = session(c);
    const given = c.req.query('status');
    const status = isStatus(given) ? given : undefined;
    const cursor = c.req.query('cursor');
    const list = await client.call(client.api.v1.invoices.$get({ query: { limit: '30', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } }));
    if (!list.ok) return problemPage(c, list.problem, 'Счета');
    const { items, nextCursor } = list.data;
    // Only the customer merges (a manager's list shows the same actions, which the API would refuse).
    const mergeable = session(c).claims.role === 'customer' ? items.filter((i) => i.allowedActions.includes('merge')) : [];
    const numbers = new Map(items.map((i) => [i.id, i.number]));
    return render(
      c,
      { title: 'Счета', notice: NOTICES[c.req.query('notice') ?? ''] },
      <>
        <StatusFilter status={status} />
        <section id="invoices" aria-live="polite">
          {items.length === 0 ? (
            <p>
              {status
                ? `Нет счетов в статусе «${STATUS_LABELS[status]}».`
                : session(c).claims.role === 'customer'
                  ? 'Счетов пока нет: оформите заказ из корзины.'
                  : 'У ваших клиентов пока нет счетов.'}
            </p>
          ) : (
            <div class="scroll">
              <table class="lines">
                <caption class="sr-only">Счета</caption>
                <thead>
                  <tr>
                    {mergeable.length > 0 && (
                      <th scope="col">
                        <span class="sr-only">Выбрать для объединения</span>
                      </th>
                    )}
                    <th scope="col">Счёт</th>
                    <th scope="col">Создан</th>
                    <th scope="col">Статус</th>
                    <th scope="col" class="num">
                      Сумма
                    </th>
                    <th scope="col">Удаление</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((invoice) => (
                    <tr>
                      {mergeable.length > 0 && (
                        <td>
                          {invoice.allowedActions.includes('merge') && (
                            <input type="checkbox" name="invoice" value={invoice.id} form="merge" aria-label={`Объединить: счёт ${invoice.number}`} />
                          )}
                        </td>
                      )}
                      <td>
                        <a href={`/cabinet/invoices/${invoice.id}`}>{invoice.number}</a>
                      </td>
                      <td>{moscowTime(invoice.createdAt)}</td>
                      <td>
                        <span class={`badge ${invoice.status}`}>{invoice.statusLabel}</span>
                        {invoice.mergedInto && (
                          <div class="muted">
                            объединён в счёт <a href={`/cabinet/invoices/${invoice.mergedInto}`}>{numbers.get(invoice.mergedInto) ?? 'открыть'}</a>
                          </div>
                        )}
                      </td>
                      <td class="num">{rub(invoice.total)}</td>
                      <td>{invoice.expiresAt ? moscowTime(invoice.expiresAt) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {mergeable.length >= 2 && <MergeForm />}
          {nextCursor && (
            <p>
              <a href={`/cabinet/invoices?${new URLSearchParams({ ...(status ? { status } : {}), cursor: nextCursor }).toString()}`}>Следующая страница →</a>
            </p>
          )}
        </section>
      </>,
    );
  });
}
