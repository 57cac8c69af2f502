/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ResponseData } from '../../client/index.js';
import { FormKey, keyHeaders, quantityOf } from '../forms.js';
import { Alert, problemPage, render, rub } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';
import { OrderFormPanel, orderFormPages } from './order-form.js';

type Cart = ResponseData<CabinetClient['api']['v1']['cart']['$get']>;
type Invoice = ResponseData<CabinetClient['api']['v1']['invoices'][':id']['$get']>;

/** Invoices that take more items ("добавить товары в счёт"): the API's allowed actions say which. */
export const OPEN_STATUSES = 'confirmed,draft,changed';

function CartLines({ cart }: { cart: Cart }) {
  return (
    <div class="scroll">
      <table class="lines">
        <caption class="sr-only">Товары в корзине</caption>
        <thead>
          <tr>
            <th scope="col">Товар</th>
            <th scope="col" class="num">
              Цена
            </th>
            <th scope="col">Количество</th>
            <th scope="col" class="num">
              Сумма
            </th>
            <th scope="col">
              <span class="sr-only">Удалить</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {cart.lines.map((line, i) => (
            <tr>
              <td>
                {line.name}
                <div class="muted">
                  {line.article}
                  {line.characteristic ? ` · ${line.characteristic}` : ''} · в наличии {line.available}
                </div>
              </td>
              <td class="num">{rub(line.price)}</td>
              <td>
                <form method="post" action="/cabinet/cart/items" class="qty">
                  <input type="hidden" name="sku" value={line.sku} />
                  <label for={`c${i}`} class="sr-only">
                    Количество: {line.name}
                  </label>
                  <input id={`c${i}`} name="quantity" type="number" inputmode="numeric" min="0" value={String(line.quantity)} required />
                  <button type="submit">Изменить</button>
                </form>
              </td>
              <td class="num">{rub(line.total)}</td>
              <td>
                <form method="post" action="/cabinet/cart/items">
                  <input type="hidden" name="sku" value={line.sku} />
                  <input type="hidden" name="quantity" value="0" />
                  <button type="submit" class="secondary">
                    Удалить<span class="sr-only">: {line.name}</span>
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan={3}>
              Итого
            </th>
            <td class="num">{rub(cart.total)}</td>
            <td></td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Checkout({ invoices }: { invoices: Invoice[] }) {
  return (
    <form method="post" action="/cabinet/cart/checkout" class="stack checkout">
      <FormKey />
      <fieldset>
        <legend>Куда оформить товары</legend>
        <label class="choice">
          <input type="radio" name="target" value="new" checked /> Новый заказ (система проверит наличие и выставит счёт)
        </label>
        {invoices.map((invoice) => (
          <label class="choice">
            <input type="radio" name="target" value={invoice.id} /> Добавить товары в счёт {invoice.number} ({invoice.statusLabel}, {rub(invoice.total)})
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary">
        Оформить заказ
      </button>
    </form>
  );
}

async function cartPage(c: Context<CabinetEnv>, error?: string, status = 200, report?: Child) {
  const { client } = session(c);
  const cart = await client.call(client.api.v1.cart.$get());
  if (!cart.ok) return problemPage(c, cart.problem);
  const open = await client.call(client.api.v1.invoices.$get({ query: { status: OPEN_STATUSES, limit: '50' } }));
  const invoices = open.ok ? open.data.items.filter((i) => i.allowedActions.includes('addItems')) : [];
  return render(
    c,
    { title: 'Корзина', error, status },
    <>
      {report}
      {cart.data.lines.length === 0 ? (
        <p>
          Корзина пуста. <a href="/cabinet/catalog">Перейти в каталог</a>
        </p>
      ) : (
        <>
          <CartLines cart={cart.data} />
          <Checkout invoices={invoices} />
          <form method="post" action="/cabinet/cart/clear" class="inline">
            <button type="submit" class="secondary">
              Очистить корзину
            </button>
          </form>
        </>
      )}
      <OrderFormPanel />
    </>,
  );
}

export function cartPages(app: Hono<CabinetEnv>): void {
  app.get('/cart', (c) => cartPage(c));
  orderFormPages(app, cartPage);

  // From the catalog (htmx: answers the line's note) and from the cart page (whole page).
  app.post('/cart/items', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    const sku = typeof form.sku === 'string' ? form.sku : '';
    const quantity = quantityOf(form.quantity);
    const htmx = Boolean(c.req.header('HX-Request'));
    if (!sku || quantity === undefined) {
      const reason = 'Укажите количество целым числом';
      return htmx ? c.html(<Alert text={reason} />, 400) : cartPage(c, reason, 400);
    }
    const result = await client.call(client.api.v1.cart.items[':sku'].$put({ param: { sku }, json: { quantity } }));
    if (!result.ok) {
      if (result.status === 401) return problemPage(c, result.problem);
      return htmx ? c.html(<Alert text={result.problem.detail} />, result.status as ContentfulStatusCode) : cartPage(c, result.problem.detail, result.status);
    }
    if (!htmx) return c.redirect('/cabinet/cart', 303);
    const lines = result.data.lines.length;
    return c.html(
      <>
        {quantity === 0 ? 'Убрано из корзины' : `В корзине: ${quantity}`}. <a href="/cabinet/cart">Корзина ({lines})</a>
      </>,
    );
  });

  app.post('/cart/clear', async (c) => {
    const { client } = session(c);
    const result = await client.call(client.api.v1.cart.$delete());
    return result.ok ? c.redirect('/cabinet/cart', 303) : cartPage(c, result.problem.detail, result.status);
  });

  app.post('/cart/checkout', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    const target = typeof form.target === 'string' && form.target !== 'new' ? { invoiceId: form.target } : ('new' as const);
    const result = await client.call(client.api.v1.cart.checkout.$post({ json: { target } }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : cartPage(c, result.problem.detail, result.status);
    const { orderId, invoiceId } = result.data;
    if (orderId) return c.redirect(`/cabinet/orders/${orderId}`, 303);
    return c.redirect(`/cabinet/invoices/${invoiceId ?? ''}?notice=added`, 303);
  });
}
