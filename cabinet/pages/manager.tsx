/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { allOf, FormKey, keyHeaders, quantityOf } from '../forms.js';
import { problemPage } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';

/**
 * The manager's change of a customer's invoice: new quantities or prices of its lines, with a
 * comment the customer reads (the API requires one). Only the lines the manager touched are sent;
 * the invoice then becomes «Изменен» and waits for the customer to accept it.
 */

type Invoice = ResponseData<CabinetClient['api']['v1']['invoices'][':id']['$get']>;

/** Today in Moscow as YYYY-MM-DD, the default payment date. */
const moscowToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(new Date());

/** The customer's payment as the bank statement shows it; the invoice only tells whose it is. */
export function PaymentForm({ invoice }: { invoice: Invoice }) {
  return (
    <form method="post" action={`/cabinet/invoices/${invoice.id}/payment`} class="stack">
      <FormKey />
      <label for="amount">Сумма оплаты, ₽</label>
      <input id="amount" name="amount" inputmode="decimal" required autocomplete="off" placeholder={invoice.totals.amount} />
      <label for="paidAt">Дата оплаты</label>
      <input id="paidAt" name="paidAt" type="date" required value={moscowToday()} />
      <label for="reference">Платёжное поручение (номер и дата)</label>
      <input id="reference" name="reference" required maxlength={100} autocomplete="off" placeholder="п/п 123 от 27.11.2026" />
      <button type="submit">Зарегистрировать оплату</button>
    </form>
  );
}

/** Statuses in which the API accepts a manager's change (core/domain: waitsOnCustomer). */
const CHANGEABLE: readonly string[] = ['draft', 'confirmed', 'changed'];

export function ManagerChange({ invoice }: { invoice: Invoice }) {
  if (!CHANGEABLE.includes(invoice.status)) {
    return <p class="muted">Счёт в статусе «{invoice.statusLabel}»: менеджер меняет только счёт, ожидающий клиента.</p>;
  }
  return (
    <form method="post" action={`/cabinet/invoices/${invoice.id}/adjust`} class="stack">
      <input type="hidden" name="version" value={String(invoice.version)} />
      <FormKey />
      <div class="scroll">
        <table class="lines">
          <caption class="sr-only">Изменение позиций менеджером</caption>
          <thead>
            <tr>
              <th scope="col">Позиция</th>
              <th scope="col" class="num">
                Количество
              </th>
              <th scope="col" class="num">
                Цена, ₽
              </th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines.map((line, index) => (
              <tr>
                <td>
                  {line.name} <span class="muted">{line.sku}</span>
                  <input type="hidden" name="sku" value={line.sku} />
                  <input type="hidden" name="wasQuantity" value={String(line.requested)} />
                  <input type="hidden" name="wasPrice" value={line.price} />
                </td>
                <td class="num">
                  <label for={`mq${index}`} class="sr-only">
                    Количество: {line.sku}
                  </label>
                  <input id={`mq${index}`} name="quantity" type="number" inputmode="numeric" min="0" value={String(line.requested)} required />
                </td>
                <td class="num">
                  <label for={`mp${index}`} class="sr-only">
                    Цена: {line.sku}
                  </label>
                  <input id={`mp${index}`} name="price" inputmode="decimal" value={line.price} required />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <label for="comment">Комментарий для клиента (обязательно)</label>
      <textarea id="comment" name="comment" rows={3} required maxlength={2000}></textarea>
      <button type="submit" class="primary">
        Изменить счёт
      </button>
    </form>
  );
}

/** The invoice page drawn again with a message (invoice.tsx owns it). */
type InvoicePage = (c: Context<CabinetEnv>, id: string, message: { error?: string; status?: number }) => Response | Promise<Response>;

export function managerPages(app: Hono<CabinetEnv>, invoicePage: InvoicePage): void {
  app.post('/invoices/:id/adjust', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const again = (message: { error: string; status: number }) => invoicePage(c, id, message);
    const form = await c.req.parseBody({ all: true });
    const [skus, quantities, prices] = [allOf(form.sku), allOf(form.quantity), allOf(form.price)];
    const [wasQuantities, wasPrices] = [allOf(form.wasQuantity), allOf(form.wasPrice)];
    const lines: { sku: string; quantity?: number; price?: string }[] = [];
    for (const [i, sku] of skus.entries()) {
      const quantity = quantityOf(quantities[i]);
      const price = (prices[i] ?? '').trim().replace(',', '.');
      if (quantity === undefined) return again({ error: 'Количество — целое число, 0 удаляет позицию', status: 400 });
      const change = {
        ...(String(quantity) !== wasQuantities[i] ? { quantity } : {}),
        ...(price !== wasPrices[i] ? { price } : {}),
      };
      if (Object.keys(change).length) lines.push({ sku, ...change });
    }
    if (lines.length === 0) return again({ error: 'Изменений нет: поменяйте количество или цену', status: 400 });
    const comment = typeof form.comment === 'string' ? form.comment.trim() : '';
    if (!comment) return again({ error: 'Напишите клиенту комментарий к изменению', status: 400 });
    const { headers } = keyHeaders(form);
    const version = typeof form.version === 'string' ? form.version : '';
    const result = await client.call(
      client.api.v1.manager.invoices[':id'].lines.$post({ param: { id }, json: { lines, comment } }, { headers: { ...headers, 'If-Match': version } }),
    );
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : again({ error: result.problem.detail, status: result.status });
    return c.redirect(`/cabinet/invoices/${id}?notice=adjust`, 303);
  });

  app.post('/invoices/:id/payment', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    // Whose payment: the invoice's customer, as the API shows it to this manager.
    const invoice = await client.call(client.api.v1.invoices[':id'].$get({ param: { id } }));
    if (!invoice.ok) return problemPage(c, invoice.problem, 'Счёт');
    const text = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
    const json = { customerId: invoice.data.customerId, amount: text('amount').replace(',', '.'), paidAt: text('paidAt'), reference: text('reference') };
    const result = await client.call(client.api.v1.manager.payments.$post({ json }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : invoicePage(c, id, { error: result.problem.detail, status: result.status });
    return c.redirect(`/cabinet/invoices/${id}?notice=${result.status === 201 ? 'payment' : 'payment-again'}`, 303);
  });
}
