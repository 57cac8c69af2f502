/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { isIsoDate } from '../../core/domain/periods.js';
import { PACKING_LAYOUTS, type PackingLayout } from '../../core/domain/reports.js';
import { GoodsTable } from '../components.js';
import { allOf, FormKey, keyHeaders } from '../forms.js';
import { moscowTime, problemPage, render, rub } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';

/**
 * Shipped realizations ("Реализации"): what was shipped, with lines, boxes and totals. The customer
 * ticks some of them and asks for a payment invoice ("счёт на оплату") or packing lists in one of
 * three layouts; both are documents made in the background, so the answer is the document's page.
 */

type Realization = ResponseData<CabinetClient['api']['v1']['realizations']['$get']>['items'][number];

const LAYOUT_LABELS: Record<PackingLayout, string> = {
  'by-article': 'По артикулам (итог по товару и номера коробок)',
  'box-nomenclature': 'По коробкам — номенклатура',
  'box-characteristic': 'По коробкам — номенклатура и характеристика',
};
const isLayout = (value: unknown): value is PackingLayout => PACKING_LAYOUTS.includes(value as PackingLayout);

interface Filter {
  from?: string;
  to?: string;
}

function PeriodFilter({ filter }: { filter: Filter }) {
  return (
    <form method="get" action="/cabinet/realizations" class="search period">
      <div class="field">
        <label for="rfrom">Отгружены с</label>
        <input id="rfrom" name="from" type="date" value={filter.from ?? ''} />
      </div>
      <div class="field">
        <label for="rto">по</label>
        <input id="rto" name="to" type="date" value={filter.to ?? ''} />
      </div>
      <button type="submit">Показать</button>
    </form>
  );
}

function Lines({ r }: { r: Realization }) {
  return (
    <details>
      <summary>Позиции ({r.lines.length})</summary>
      <GoodsTable caption={`Позиции реализации ${r.number}`} numbers={['Кол-во', 'Цена', 'Сумма']}>
        {r.lines.map((line) => (
          <tr>
            <td>
              {line.name}
              <div class="muted">
                {line.article}
                {line.characteristic ? ` · ${line.characteristic}` : ''}
              </div>
            </td>
            <td class="num">{line.quantity}</td>
            <td class="num">{rub(line.price)}</td>
            <td class="num">{rub(line.total)}</td>
          </tr>
        ))}
      </GoodsTable>
    </details>
  );
}

function RealizationCard({ r, index, checked }: { r: Realization; index: number; checked: boolean }) {
  return (
    <li class="realization">
      <div class="realization-head">
        <input type="checkbox" id={`r${index}`} name="id" value={r.id} form="selected" checked={checked} />
        <label for={`r${index}`}>Реализация {r.number}</label>
        <span class="num">{rub(r.total)}</span>
      </div>
      <p class="muted">
        Отгружена {moscowTime(r.shippedAt)} · коробок: {r.boxes.length} · в т. ч. НДС {rub(r.vat)} ·{' '}
        <a href={`/cabinet/invoices/${r.invoiceId}`} aria-label={`Счёт реализации ${r.number}`}>
          счёт
        </a>
      </p>
      <Lines r={r} />
    </li>
  );
}

function Actions({ filter }: { filter: Filter }) {
  return (
    <form id="selected" method="post" action="/cabinet/realizations/payment-invoice" class="stack selected-actions">
      <FormKey />
      {filter.from && <input type="hidden" name="from" value={filter.from} />}
      {filter.to && <input type="hidden" name="to" value={filter.to} />}
      <h2>С отмеченными реализациями</h2>
      <button type="submit" class="primary" formaction="/cabinet/realizations/payment-invoice">
        Счёт на оплату
      </button>
      <fieldset>
        <legend>Вид упаковочного листа</legend>
        {PACKING_LAYOUTS.map((layout, i) => (
          <label class="choice">
            <input type="radio" name="layout" value={layout} checked={i === 0} /> {LAYOUT_LABELS[layout]}
          </label>
        ))}
      </fieldset>
      <button type="submit" formaction="/cabinet/realizations/packing-lists">
        Упаковочный лист
      </button>
    </form>
  );
}

const dateOrNothing = (value: unknown) => (typeof value === 'string' && isIsoDate(value) ? value : undefined);
const filterOf = (values: Record<string, unknown>): Filter => {
  const [from, to] = [dateOrNothing(values.from), dateOrNothing(values.to)];
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
};

async function realizationsPage(c: Context<CabinetEnv>, filter: Filter, message: { error?: string; status?: number; selected?: string[] } = {}) {
  const { client } = session(c);
  const list = await client.call(client.api.v1.realizations.$get({ query: filter }));
  if (!list.ok) return problemPage(c, list.problem, 'Реализации');
  const { items } = list.data;
  const selected = new Set(message.selected ?? []);
  return render(
    c,
    { title: 'Реализации', error: message.error, status: message.status ?? 200 },
    <>
      <p class="hint">
        Отгруженные вам реализации. Отметьте нужные и закажите счёт на оплату или упаковочный лист; счёт на произвольную сумму и отправка платёжного поручения —
        в разделе <a href="/cabinet/payments">«Оплата»</a>.
      </p>
      <PeriodFilter filter={filter} />
      {items.length === 0 ? (
        <p>{filter.from || filter.to ? 'За выбранный период отгрузок нет.' : 'Отгрузок пока нет: реализация появляется, когда склад отгрузит счёт.'}</p>
      ) : (
        <>
          <ul class="realizations">
            {items.map((r, index) => (
              <RealizationCard r={r} index={index} checked={selected.has(r.id)} />
            ))}
          </ul>
          <Actions filter={filter} />
        </>
      )}
    </>,
  );
}

export function realizationPages(app: Hono<CabinetEnv>): void {
  app.get('/realizations', (c) => realizationsPage(c, filterOf(c.req.query())));

  app.post('/realizations/:what{payment-invoice|packing-lists}', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody({ all: true });
    const filter = filterOf(form);
    const realizationIds = allOf(form.id);
    if (realizationIds.length === 0) return realizationsPage(c, filter, { error: 'Отметьте хотя бы одну реализацию', status: 400 });
    const again = (error: string, status: number) => realizationsPage(c, filter, { error, status, selected: realizationIds });
    let result;
    if (c.req.param('what') === 'payment-invoice') {
      result = await client.call(client.api.v1['payment-invoices'].$post({ json: { realizationIds } }, keyHeaders(form)));
    } else {
      const layout = form.layout;
      if (!isLayout(layout)) return again('Выберите вид упаковочного листа', 400);
      result = await client.call(client.api.v1.documents.$post({ json: { type: 'packing-lists', realizationIds, layout } }, keyHeaders(form)));
    }
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : again(result.problem.detail, result.status);
    return c.redirect(`/cabinet/documents/${result.data.documentId}`, 303);
  });
}
