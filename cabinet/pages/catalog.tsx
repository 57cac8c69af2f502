/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { problemPage, render, rub } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';
import { JoinWaitlist } from './waitlist-join.js';

type Product = ResponseData<CabinetClient['api']['v1']['catalog']['products']['$get']>['items'][number];

const PAGE_SIZE = '24';

function ProductCard({ product, index, inCart, canOrder }: { product: Product; index: number; inCart: number | undefined; canOrder: boolean }) {
  const id = `p${index}`;
  const title = [product.name, product.characteristic].filter(Boolean).join(', ');
  return (
    <li class="product" aria-labelledby={`${id}-name`}>
      <h2 id={`${id}-name`} class="product-name">
        {product.name}
      </h2>
      <p class="muted">
        {product.article}
        {product.characteristic ? ` · ${product.characteristic}` : ''} · {product.sku}
      </p>
      <p class="price">
        {rub(product.price)} <span class="muted">за {product.unit}</span>
      </p>
      <p class={product.available > 0 ? 'stock in' : 'stock out'}>
        {product.available > 0 ? `В наличии: ${product.available} ${product.unit}` : 'Нет в наличии'}
        <span class="muted"> · в коробке {product.piecesPerBox}</span>
      </p>
      {canOrder && (
        <form method="post" action="/cabinet/cart/items" class="add" hx-post="/cabinet/cart/items" hx-target={`#${id}-added`}>
          <input type="hidden" name="sku" value={product.sku} />
          <label for={`${id}-qty`}>Количество</label>
          <input id={`${id}-qty`} name="quantity" type="number" inputmode="numeric" min="1" value={String(inCart ?? 1)} required />
          <button type="submit">
            В корзину<span class="sr-only">: {title}</span>
          </button>
          <output id={`${id}-added`} class="added" aria-live="polite">
            {inCart ? `В корзине: ${inCart}` : ''}
          </output>
        </form>
      )}
      {canOrder && product.available === 0 && <JoinWaitlist id={id} sku={product.sku} title={title} />}
    </li>
  );
}

export function catalogPages(app: Hono<CabinetEnv>): void {
  app.get('/catalog', async (c) => {
    const { client, claims } = session(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const cursor = c.req.query('cursor');
    const products = await client.call(
      client.api.v1.catalog.products.$get({ query: { limit: PAGE_SIZE, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } }),
    );
    if (!products.ok) return problemPage(c, products.problem);
    const canOrder = claims.role === 'customer';
    // What is in the cart already, so the page says so; the cart itself stays the API's.
    const cart = canOrder ? await client.call(client.api.v1.cart.$get()) : undefined;
    const inCart = new Map(cart?.ok ? cart.data.lines.map((l) => [l.sku, l.quantity]) : []);
    const { items, nextCursor } = products.data;
    return render(
      c,
      { title: 'Каталог' },
      <>
        <form
          method="get"
          action="/cabinet/catalog"
          role="search"
          class="search"
          hx-get="/cabinet/catalog"
          hx-trigger="input changed delay:300ms from:#q, submit"
          hx-target="#results"
          hx-select="#results"
          hx-swap="outerHTML"
          hx-push-url="true"
        >
          <label for="q">Поиск по артикулу, названию или характеристике</label>
          <input id="q" name="q" type="search" value={q} maxlength={100} placeholder="например, КЛ-20 или чёрный" />
          <button type="submit">Найти</button>
        </form>
        <section id="results" aria-live="polite">
          <p class="muted">{items.length === 0 ? 'Ничего не найдено.' : `Показано товаров: ${items.length}${nextCursor ? ' (есть ещё)' : ''}`}</p>
          <ul class="products">
            {items.map((product, index) => (
              <ProductCard product={product} index={index} inCart={inCart.get(product.sku)} canOrder={canOrder} />
            ))}
          </ul>
          {nextCursor && (
            <p>
              <a href={`/cabinet/catalog?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor }).toString()}`}>Следующая страница →</a>
            </p>
          )}
        </section>
      </>,
    );
  });
}
