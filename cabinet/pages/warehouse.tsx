/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { STATUS_LABELS, WAREHOUSE_STATUSES, type WarehouseStatus } from '../../core/domain/invoice.js';
import { InvoiceSummary } from '../components.js';
import { FormKey, keyHeaders, quantityOf } from '../forms.js';
import { moscowTime, problemPage, render } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';

/**
 * The warehouse's pages: the invoices to pick, one invoice with its next step (на склад → собран
 * → отгружен) as a button, and the stock correction. Staff only see what the API's warehouse
 * routes give them; every step sends the version the page showed, so two people working the same
 * invoice cannot step it twice.
 */

type Invoice = ResponseData<CabinetClient['api']['v1']['warehouse']['invoices'][':id']['$get']>;

/** The one step the API allows from each status (core/domain/invoice.ts, warehouseRefusal). */
const NEXT: Partial<Record<Invoice['status'], WarehouseStatus>> = { shipment_confirmed: 'to_warehouse', to_warehouse: 'assembled', assembled: 'shipped' };
const BUTTONS: Record<WarehouseStatus, string> = { to_warehouse: 'Принять на склад', assembled: 'Собран', shipped: 'Отгружен' };

function InvoiceTable({ items }: { items: Invoice[] }) {
  return (
    <div class="scroll">
      <table class="lines">
        <caption class="sr-only">Счета склада</caption>
        <thead>
          <tr>
            <th scope="col">Счёт</th>
            <th scope="col">Создан</th>
            <th scope="col">Статус</th>
            <th scope="col" class="num">
              Штук
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((invoice) => (
            <tr>
              <td>
                <a href={`/cabinet/warehouse/invoices/${invoice.id}`}>{invoice.number}</a>
              </td>
              <td>{moscowTime(invoice.createdAt)}</td>
              <td>
                <span class={`badge ${invoice.status}`}>{invoice.statusLabel}</span>
              </td>
              <td class="num">{invoice.lines.reduce((sum, l) => sum + l.approved, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Boxes typed one per line as "коробка артикул количество"; undefined for a malformed line. */
export function parseBoxes(text: string): { number: number; lines: { sku: string; quantity: number }[] }[] | undefined {
  const boxes = new Map<number, { sku: string; quantity: number }[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\d{1,6})\s+(\S+)\s+(\d{1,9})$/.exec(line);
    const quantity = quantityOf(m?.[3]);
    if (!m || !quantity) return undefined;
    const number = Number(m[1]);
    boxes.set(number, [...(boxes.get(number) ?? []), { sku: m[2] ?? '', quantity }]);
  }
  return [...boxes].map(([number, lines]) => ({ number, lines }));
}

function StepForm({ invoice, step }: { invoice: Invoice; step: WarehouseStatus }) {
  return (
    <form method="post" action={`/cabinet/warehouse/invoices/${invoice.id}/status`} class="action stack">
      <input type="hidden" name="version" value={String(invoice.version)} />
      <input type="hidden" name="status" value={step} />
      <FormKey />
      {step === 'assembled' && (
        <>
          <label for="boxes">Коробки (необязательно): по строке «номер коробки, артикул, количество» через пробел</label>
          <textarea id="boxes" name="boxes" rows={4} autocomplete="off" spellcheck={false} placeholder="1 КЛ-20-3-NUD 10"></textarea>
          <p class="hint">Пусто — система разложит товар по коробкам по нормам упаковки.</p>
        </>
      )}
      <button type="submit" class="primary">
        {BUTTONS[step]}
      </button>
    </form>
  );
}

function InvoiceView({ invoice }: { invoice: Invoice }) {
  const step = NEXT[invoice.status];
  return (
    <>
      <InvoiceSummary invoice={invoice} />
      <h2>Позиции к сборке</h2>
      <div class="scroll">
        <table class="lines">
          <caption class="sr-only">Позиции счёта</caption>
          <thead>
            <tr>
              <th scope="col">Товар</th>
              <th scope="col">Артикул</th>
              <th scope="col" class="num">
                Собрать, шт.
              </th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines
              .filter((line) => line.approved > 0)
              .map((line) => (
                <tr>
                  <td>
                    {line.name}
                    {line.characteristic && <div class="muted">{line.characteristic}</div>}
                  </td>
                  <td>{line.sku}</td>
                  <td class="num">{line.approved}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <h2>Следующий шаг</h2>
      <div class="actions">
        {step ? <StepForm invoice={invoice} step={step} /> : <p class="muted">Счёт в статусе «{invoice.statusLabel}»: шагов склада не осталось.</p>}
      </div>
    </>
  );
}

const NOTICES: Record<string, string> = {
  to_warehouse: `Счёт принят на склад: статус «${STATUS_LABELS.to_warehouse}».`,
  assembled: `Счёт собран: статус «${STATUS_LABELS.assembled}».`,
  shipped: `Счёт отгружен: статус «${STATUS_LABELS.shipped}», реализация создана.`,
};

async function invoicePage(c: Context<CabinetEnv>, id: string, message: { notice?: string | undefined; error?: string | undefined; status?: number } = {}) {
  const { client } = session(c);
  const invoice = await client.call(client.api.v1.warehouse.invoices[':id'].$get({ param: { id } }));
  if (!invoice.ok) return problemPage(c, invoice.problem, 'Счёт');
  return render(c, { title: `Счёт ${invoice.data.number}`, ...message }, <InvoiceView invoice={invoice.data} />);
}

function StockForm({ sku, onHand }: { sku?: string; onHand?: string }) {
  return (
    <form method="post" action="/cabinet/warehouse/stock" class="stack">
      <FormKey />
      <label for="sku">Артикул (SKU)</label>
      <input id="sku" name="sku" required autocomplete="off" value={sku ?? ''} />
      <label for="onHand">Фактический остаток, шт.</label>
      <input id="onHand" name="onHand" type="number" inputmode="numeric" min="0" required value={onHand ?? ''} />
      <button type="submit" class="primary">
        Сохранить остаток
      </button>
    </form>
  );
}

export function warehousePages(app: Hono<CabinetEnv>): void {
  app.get('/warehouse', async (c) => {
    const { client } = session(c);
    const queue = c.req.query('queue') === 'shipped' ? 'shipped' : 'picking';
    const cursor = c.req.query('cursor');
    const list = await client.call(client.api.v1.warehouse.invoices.$get({ query: { limit: '30', queue, ...(cursor ? { cursor } : {}) } }));
    if (!list.ok) return problemPage(c, list.problem, 'Склад');
    const { items, nextCursor } = list.data;
    return render(
      c,
      { title: queue === 'shipped' ? 'Отгруженные счета' : 'Счета к сборке' },
      <section id="invoices">
        {items.length === 0 ? <p>{queue === 'shipped' ? 'Отгруженных счетов нет.' : 'Счетов к сборке нет.'}</p> : <InvoiceTable items={items} />}
        {nextCursor && (
          <p>
            <a href={`/cabinet/warehouse?${new URLSearchParams({ queue, cursor: nextCursor }).toString()}`}>Следующая страница →</a>
          </p>
        )}
      </section>,
    );
  });

  app.get('/warehouse/invoices/:id', (c) => invoicePage(c, c.req.param('id'), { notice: NOTICES[c.req.query('notice') ?? ''] }));

  app.post('/warehouse/invoices/:id/status', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    // Which step is allowed now is the API's call (it answers with the Russian reason).
    const status = WAREHOUSE_STATUSES.find((s) => s === form.status);
    if (!status) return invoicePage(c, id, { error: 'Неизвестный шаг склада', status: 400 });
    const boxes = typeof form.boxes === 'string' && form.boxes.trim() ? parseBoxes(form.boxes) : [];
    if (!boxes) return invoicePage(c, id, { error: 'Коробки: в каждой строке номер коробки, артикул и количество через пробел', status: 400 });
    const { headers } = keyHeaders(form);
    const version = typeof form.version === 'string' ? form.version : '';
    const result = await client.call(
      client.api.v1.warehouse.invoices[':id'].status.$post(
        { param: { id }, json: { status, ...(boxes.length ? { boxes } : {}) } },
        { headers: { ...headers, 'If-Match': version } },
      ),
    );
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : invoicePage(c, id, { error: result.problem.detail, status: result.status });
    return c.redirect(`/cabinet/warehouse/invoices/${id}?notice=${status}`, 303);
  });

  app.get('/warehouse/stock', (c) => render(c, { title: 'Корректировка остатка' }, <StockForm />));

  app.post('/warehouse/stock', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    const sku = typeof form.sku === 'string' ? form.sku.trim() : '';
    const onHand = quantityOf(form.onHand);
    const again = <StockForm sku={sku} onHand={typeof form.onHand === 'string' ? form.onHand : ''} />;
    if (!sku || onHand === undefined) return render(c, { title: 'Корректировка остатка', error: 'Укажите артикул и остаток целым числом', status: 400 }, again);
    const result = await client.call(client.api.v1.warehouse.stock[':sku'].$put({ param: { sku }, json: { onHand } }, keyHeaders(form)));
    if (!result.ok) {
      if (result.status === 401) return problemPage(c, result.problem);
      return render(c, { title: 'Корректировка остатка', error: result.problem.detail, status: result.status }, again);
    }
    const { data } = result;
    const affected = data.affectedInvoiceIds.length;
    const notice = `Остаток ${data.sku}: на складе ${data.onHand}, в резерве ${data.reserved}, доступно ${data.available}.${affected ? ` Резерв урезан в счетах: ${affected}.` : ''}`;
    return render(c, { title: 'Корректировка остатка', notice }, <StockForm />);
  });
}
