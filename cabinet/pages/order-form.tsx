/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Child } from 'hono/jsx';
import type { ResponseData } from '../../client/index.js';
import { problemPage } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';

/**
 * The order form ("бланк заказа") on the cart page: its download, passed through from the API
 * (the browser holds only the cabinet's cookie, not the bearer token), and its upload, whose
 * report says how many rows went into the cart and why each rejected row was not taken.
 */

type Report = ResponseData<CabinetClient['api']['v1']['cart']['upload']['$post']>;
type CartPage = (c: Context<CabinetEnv>, error?: string, status?: number, report?: Child) => Response | Promise<Response>;

/** A wall against huge bodies before they are buffered; the API's own 2 MB limit and its reason still apply. */
const MAX_UPLOAD_BYTES = 3 * 1024 * 1024;

export function OrderFormPanel() {
  return (
    <section class="order-form" aria-labelledby="order-form-title">
      <h2 id="order-form-title">Бланк заказа</h2>
      <p>
        <a class="button" href="/cabinet/cart/order-form.xlsx" download>
          Скачать бланк заказа
        </a>{' '}
        <span class="muted">Excel-файл со всем каталогом: впишите количество в последний столбец и загрузите его сюда.</span>
      </p>
      <form method="post" action="/cabinet/cart/upload" enctype="multipart/form-data" class="stack">
        <label for="order-file">Заполненный бланк (.xlsx)</label>
        <input id="order-file" name="file" type="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
        <button type="submit">Загрузить в корзину</button>
      </form>
    </section>
  );
}

export function UploadReport({ report }: { report: Report }) {
  return (
    <section class="upload-report" aria-labelledby="report-title">
      <h2 id="report-title">Бланк загружен</h2>
      <p role="status" class="notice">
        Добавлено в корзину позиций: {report.added}
        {report.removed > 0 ? `; убрано (количество 0): ${report.removed}` : ''}
        {report.rejected.length > 0 ? `; не принято строк: ${report.rejected.length}` : ''}.
      </p>
      {report.rejected.length > 0 && (
        <div class="scroll">
          <table class="log rejected-rows">
            <caption>Строки бланка, которые не попали в корзину</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  Строка
                </th>
                <th scope="col">SKU</th>
                <th scope="col">Причина</th>
              </tr>
            </thead>
            <tbody>
              {report.rejected.map((r) => (
                <tr>
                  <td class="num">{r.row}</td>
                  <td>{r.sku ?? '—'}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function orderFormPages(app: Hono<CabinetEnv>, cartPage: CartPage): void {
  app.get('/cart/order-form.xlsx', async (c) => {
    const { client } = session(c);
    const response = await client.api.v1.catalog['order-form.xlsx'].$get();
    if (!response.ok) {
      const failed = await client.call(Promise.resolve(response));
      return failed.ok ? c.body(null, 502) : problemPage(c, failed.problem, 'Бланк заказа');
    }
    // Streamed as the API sent it: its type and its file name.
    const headers = new Headers({ 'Content-Type': response.headers.get('content-type') ?? 'application/octet-stream' });
    const disposition = response.headers.get('content-disposition');
    if (disposition) headers.set('Content-Disposition', disposition);
    return new Response(response.body, { status: 200, headers });
  });

  app.post(
    '/cart/upload',
    bodyLimit({
      maxSize: MAX_UPLOAD_BYTES,
      onError: (c) => cartPage(c as Context<CabinetEnv>, 'Файл слишком большой: бланк заказа занимает меньше 2 МБ', 413),
    }),
    async (c) => {
      const { client } = session(c);
      const body = await c.req.parseBody();
      const file = body.file;
      if (!(file instanceof File) || file.size === 0) return cartPage(c, 'Выберите заполненный бланк заказа (.xlsx)', 400);
      const form = new FormData();
      form.append('file', file, file.name);
      // The upload's body is not typed by the client (a hand-written multipart schema): it goes in `init`.
      const result = await client.call(client.api.v1.cart.upload.$post({}, { init: { body: form } }));
      if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : cartPage(c, result.problem.detail, result.status);
      return cartPage(c, undefined, 200, <UploadReport report={result.data} />);
    },
  );
}
