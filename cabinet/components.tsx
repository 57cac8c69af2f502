/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { moscowTime, rub } from './layout.js';

/**
 * Pieces several pages draw the same way, so a change to one (a column's alignment, the wait's
 * wording around it) reaches them all.
 */

/** A goods lines table: the product first, then right-aligned number columns; the rows are the caller's. */
export function GoodsTable({ caption, numbers, children }: { caption: string; numbers: string[]; children: Child }) {
  return (
    <div class="scroll">
      <table class="lines">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Товар</th>
            {numbers.map((name) => (
              <th scope="col" class="num">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A background job's wait: htmx asks `poll` every second and swaps the answer in, which stops the
 * polling once the answer has no such attributes; without script, a link to reload `reload`.
 */
export function Waiting({ poll, doing, hint, reload, children }: { poll: string; doing: string; hint: string; reload: string; children?: Child }) {
  return (
    <section id="progress" class="progress" aria-live="polite" aria-busy="true" hx-get={poll} hx-trigger="every 1s" hx-swap="outerHTML">
      <p class="waiting">
        <span class="spinner" aria-hidden="true"></span> {doing}
      </p>
      <p class="muted">{hint}</p>
      {children}
      <noscript>
        <p>
          <a href={reload}>Обновить страницу</a>
        </p>
      </noscript>
    </section>
  );
}

/**
 * An invoice's summary list: status badge, when created, amount; `amount` and `children` add
 * what a page shows beyond that (VAT, deletion date, the merged invoice).
 */
export function InvoiceSummary(props: {
  invoice: { status: string; statusLabel: string; createdAt: string; totals: { amount: string } };
  amountNote?: Child;
  children?: Child;
}) {
  const { invoice } = props;
  return (
    <dl class="summary">
      <dt>Статус</dt>
      <dd>
        <span class={`badge ${invoice.status}`}>{invoice.statusLabel}</span>
      </dd>
      <dt>Создан</dt>
      <dd>{moscowTime(invoice.createdAt)}</dd>
      <dt>Сумма</dt>
      <dd>
        {rub(invoice.totals.amount)}
        {props.amountNote}
      </dd>
      {props.children}
    </dl>
  );
}
