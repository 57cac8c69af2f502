/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ResponseData } from '../../client/index.js';
import { FormKey, keyHeaders } from '../forms.js';
import { moscowTime, problemPage, render } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';

/**
 * Money ("Оплата"): a payment invoice for any amount (an advance, a part of the debt) and the
 * upload of a payment order ("платёжное поручение"), which the API stores and emails to the
 * customer's manager. Invoices for shipped realizations are on the realizations page.
 */

/** The API takes payment orders up to 10 MiB; the cabinet stops a far bigger body before reading it and leaves the exact check to the API. */
const UPLOAD_CAP_BYTES = 11 * 1024 * 1024;

/** "15 000,50" or "15000.5" → "15000.50"-style input the API takes; anything else goes as typed and the API explains. */
function amountOf(value: unknown): string {
  const typed = typeof value === 'string' ? value : '';
  return typed
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(',', '.')
    .replace(/(?:руб\.?|₽|р\.?)$/i, '');
}

interface Message {
  error?: string | undefined;
  status?: number;
  /** The payment order just sent. */
  sent?: { fileName: string; createdAt: string } | undefined;
  amount?: string;
}

function InvoiceForAmount({ amount }: { amount: string | undefined }) {
  return (
    <section aria-labelledby="h-amount">
      <h2 id="h-amount">Счёт на оплату на произвольную сумму</h2>
      <p class="hint">
        Например, для предоплаты или частичного погашения долга. Счёт за конкретные отгрузки закажите в разделе <a href="/cabinet/realizations">«Реализации»</a>
        .
      </p>
      <form method="post" action="/cabinet/payments/invoice" class="stack" aria-label="Счёт на оплату на сумму">
        <FormKey />
        <label for="amount">Сумма, ₽ (с НДС)</label>
        <input
          id="amount"
          name="amount"
          inputmode="decimal"
          required
          autocomplete="off"
          placeholder="15 000,00"
          value={amount ?? ''}
          aria-describedby="amount-hint"
        />
        <p class="hint" id="amount-hint">
          Больше нуля, копейки через запятую.
        </p>
        <button type="submit" class="primary">
          Сформировать счёт на оплату
        </button>
      </form>
    </section>
  );
}

function PaymentOrderUpload() {
  return (
    <section aria-labelledby="h-order">
      <h2 id="h-order">Платёжное поручение</h2>
      <p class="hint">Оплатили счёт? Отправьте платёжное поручение: оно автоматически уйдёт вашему менеджеру, и оплату зачтут быстрее.</p>
      <form method="post" action="/cabinet/payments/order" enctype="multipart/form-data" class="stack" aria-label="Отправить платёжное поручение">
        <FormKey />
        <label for="file">Файл платёжного поручения</label>
        <input id="file" name="file" type="file" required accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff,.webp,application/pdf,image/*" aria-describedby="file-hint" />
        <p class="hint" id="file-hint">
          PDF или изображение (PNG, JPEG, TIFF, WebP), до 10 МБ.
        </p>
        <button type="submit" class="primary">
          Отправить менеджеру
        </button>
      </form>
    </section>
  );
}

type Doc = ResponseData<CabinetClient['api']['v1']['documents'][':id']['$get']>;

function RecentInvoices({ items }: { items: Doc[] }) {
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="h-recent">
      <h2 id="h-recent">Последние счета на оплату</h2>
      <ul>
        {items.map((doc) => (
          <li>
            <a href={`/cabinet/documents/${doc.id}`}>
              {doc.title}
              {doc.number ? ` № ${doc.number}` : ''}
            </a>{' '}
            <span class="muted">от {moscowTime(doc.createdAt)}</span>
          </li>
        ))}
      </ul>
      <p>
        <a href="/cabinet/documents?type=payment-invoice">Все счета на оплату</a>
      </p>
    </section>
  );
}

async function paymentsPage(c: Context<CabinetEnv>, message: Message = {}) {
  const { client } = session(c);
  // A convenience list: without it the page still does its job.
  const recent = await client.call(client.api.v1.documents.$get({ query: { type: 'payment-invoice', limit: '5' } }));
  const notice = message.sent
    ? `Платёжное поручение отправлено менеджеру: «${message.sent.fileName}», ${moscowTime(message.sent.createdAt)} (МСК).`
    : undefined;
  return render(
    c,
    { title: 'Оплата', error: message.error, notice, status: message.status ?? 200 },
    <div class="money">
      <InvoiceForAmount amount={message.amount} />
      <PaymentOrderUpload />
      <RecentInvoices items={recent.ok ? recent.data.items : []} />
    </div>,
  );
}

export function paymentPages(app: Hono<CabinetEnv>): void {
  app.get('/payments', async (c) => {
    const sent = c.req.query('sent');
    if (!sent) return paymentsPage(c);
    // After the upload (POST → redirect → GET): the confirmation names the stored file.
    const { client } = session(c);
    const order = await client.call(client.api.v1['payment-orders'][':id'].$get({ param: { id: sent } }));
    if (!order.ok) return problemPage(c, order.problem, 'Оплата');
    return paymentsPage(c, { sent: order.data });
  });

  app.post('/payments/invoice', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    const amount = amountOf(form.amount);
    // The API's own wording for a malformed amount is technical ("json.amount: …"): say it plainly here.
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(amount)) {
      const typed = typeof form.amount === 'string' ? form.amount : '';
      return paymentsPage(c, { error: 'Сумма — число рублей, копейки через запятую, например 15 000,50', status: 400, amount: typed });
    }
    const result = await client.call(client.api.v1['payment-invoices'].$post({ json: { amount } }, keyHeaders(form)));
    if (!result.ok) {
      if (result.status === 401) return problemPage(c, result.problem);
      return paymentsPage(c, { error: result.problem.detail, status: result.status, amount: typeof form.amount === 'string' ? form.amount : '' });
    }
    return c.redirect(`/cabinet/documents/${result.data.documentId}`, 303);
  });

  app.post(
    '/payments/order',
    bodyLimit({
      maxSize: UPLOAD_CAP_BYTES,
      onError: (c) => paymentsPage(c as Context<CabinetEnv>, { error: 'Файл больше 10 МБ: уменьшите скан или отправьте PDF', status: 413 }),
    }),
    async (c) => {
      const { client } = session(c);
      const form = await c.req.parseBody();
      const file = form.file;
      if (!(file instanceof File) || file.size === 0) return paymentsPage(c, { error: 'Выберите файл платёжного поручения', status: 400 });
      // Upload bodies are not typed by the client (a hand-written multipart schema): the body goes in `init`.
      const { headers } = keyHeaders(form);
      // A resent form is one upload: the API matches a repeated key by the form's fields and file.
      const body = new FormData();
      body.append('file', file, file.name);
      const result = await client.call(client.api.v1['payment-orders'].$post({}, { init: { body }, headers }));
      if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : paymentsPage(c, { error: result.problem.detail, status: result.status });
      return c.redirect(`/cabinet/payments?sent=${result.data.id}`, 303);
    },
  );
}
