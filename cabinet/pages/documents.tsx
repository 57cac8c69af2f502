/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { DOCUMENT_TITLES, DOCUMENT_TYPES } from '../../core/domain/documents.js';
import { Waiting } from '../components.js';
import { Alert, moscowTime, problemPage, render } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';
import { paymentPages } from './payments.js';
import { realizationPages } from './realizations.js';
import { reportPages } from './reports.js';

/**
 * The files list ("Документы") and one document's page. Every document is made in the background
 * (the API answers 202 at once), so a document's page asks again every second while it is
 * pending and offers the download once it is ready. The file itself passes through the cabinet:
 * the browser holds only the cabinet's cookie, never the bearer token the API wants.
 */

type Doc = ResponseData<CabinetClient['api']['v1']['documents'][':id']['$get']>;
type DocType = Doc['type'];

const isType = (value: string | undefined): value is DocType => DOCUMENT_TYPES.includes(value as DocType);

/** Where each kind of document is ordered, for «Заказать ещё раз». */
const ORDERED_AT: Record<DocType, string> = {
  inventory: '/cabinet/invoices',
  'payment-invoice': '/cabinet/payments',
  receivables: '/cabinet/reports',
  settlements: '/cabinet/reports',
  sales: '/cabinet/reports',
  realizations: '/cabinet/reports',
  'packing-lists': '/cabinet/realizations',
};

const STATUS_LABELS: Record<Doc['status'], string> = { pending: 'готовится', ready: 'готов', failed: 'ошибка' };

/** "48,2 КБ" */
function fileSize(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} Б`;
  const kib = bytes / 1024;
  return kib < 1024 ? `${kib.toFixed(1).replace('.', ',')} КБ` : `${(kib / 1024).toFixed(1).replace('.', ',')} МБ`;
}

/** The list's own address (path and query) to poll; never the host the request came through. */
const listHref = (url: string) => {
  const { pathname, search } = new URL(url);
  return pathname + search;
};
const fileHref = (id: string) => `/cabinet/documents/${id}/file`;

function Download({ doc }: { doc: Doc }) {
  return (
    <a class="button primary" href={fileHref(doc.id)} download={doc.fileName}>
      Скачать {doc.fileName ?? 'файл'}
      {doc.size !== undefined && <span class="size"> ({fileSize(doc.size)})</span>}
    </a>
  );
}

function StatusBadge({ doc }: { doc: Doc }) {
  return <span class={`badge doc-${doc.status}`}>{STATUS_LABELS[doc.status]}</span>;
}

/** The live part of a document's page; while pending it carries the polling attributes, after that it does not, so htmx stops. */
function Progress({ doc, hiccup }: { doc: Doc; hiccup?: string | undefined }) {
  if (doc.status === 'pending') {
    return (
      <Waiting
        poll={`/cabinet/documents/${doc.id}/progress`}
        doing="Готовим документ…"
        hint="Страница обновится сама, как только файл будет готов; он также придёт на почту и останется в разделе «Документы»."
        reload={`/cabinet/documents/${doc.id}`}
      >
        <Alert text={hiccup} />
      </Waiting>
    );
  }
  if (doc.status === 'failed') {
    return (
      <section id="progress" class="progress">
        <Alert text={`Документ не сформирован: ${doc.error ?? 'ошибка'}. Закажите его ещё раз или обратитесь к менеджеру.`} />
        <p>
          <a href={ORDERED_AT[doc.type]}>Заказать ещё раз</a>
        </p>
      </section>
    );
  }
  return (
    <section id="progress" class="progress done" aria-live="polite">
      <p class="ready">
        Документ готов{doc.number ? ` — № ${doc.number}` : ''}
        {doc.readyAt ? `, ${moscowTime(doc.readyAt)} (МСК)` : ''}. Копия придёт вам на почту.
      </p>
      <p>
        <Download doc={doc} />
      </p>
    </section>
  );
}

function DocumentSummary({ doc }: { doc: Doc }) {
  return (
    <dl class="summary">
      <dt>Заказан</dt>
      <dd>{moscowTime(doc.createdAt)} (МСК)</dd>
    </dl>
  );
}

type Part = { ok: true; doc: Doc; hiccup?: string } | { ok: false; problem: Parameters<typeof problemPage>[1] };

async function loadDoc(c: Context<CabinetEnv>, id: string, last?: Doc): Promise<Part> {
  const { client } = session(c);
  const got = await client.call(client.api.v1.documents[':id'].$get({ param: { id } }));
  if (got.ok) return { ok: true, doc: got.data };
  // A restart of the API's database or Temporal (503) does not end the wait.
  if (got.status >= 500 && last) return { ok: true, doc: last, hiccup: got.problem.detail };
  return { ok: false, problem: got.problem };
}

function TypeFilter({ type }: { type: DocType | undefined }) {
  return (
    <form
      method="get"
      action="/cabinet/documents"
      class="search"
      hx-get="/cabinet/documents"
      hx-trigger="change"
      hx-target="#documents"
      hx-select="#documents"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <label for="type">Вид документа</label>
      <select id="type" name="type">
        <option value="">Все документы</option>
        {DOCUMENT_TYPES.map((t) => (
          <option value={t} selected={t === type}>
            {DOCUMENT_TITLES[t]}
          </option>
        ))}
      </select>
      <button type="submit">Показать</button>
    </form>
  );
}

function DocumentRows({ items }: { items: Doc[] }) {
  return (
    <div class="scroll">
      <table class="lines docs">
        <caption class="sr-only">Документы</caption>
        <thead>
          <tr>
            <th scope="col">Документ</th>
            <th scope="col">Статус</th>
            <th scope="col">Файл</th>
          </tr>
        </thead>
        <tbody>
          {items.map((doc) => (
            <tr>
              <td>
                <a href={`/cabinet/documents/${doc.id}`}>
                  {doc.title}
                  {doc.number ? ` № ${doc.number}` : ''}
                </a>
                <div class="muted">заказан {moscowTime(doc.createdAt)}</div>
              </td>
              <td>
                <StatusBadge doc={doc} />
                {doc.status === 'failed' && doc.error && <div class="rejected">{doc.error}</div>}
              </td>
              <td>
                {doc.status === 'ready' ? (
                  <a href={fileHref(doc.id)} download={doc.fileName}>
                    {doc.fileName}
                  </a>
                ) : (
                  '—'
                )}{' '}
                <span class="muted">{fileSize(doc.size)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function documentPages(app: Hono<CabinetEnv>): void {
  app.get('/documents', async (c) => {
    const { client } = session(c);
    const given = c.req.query('type');
    const type = isType(given) ? given : undefined;
    const cursor = c.req.query('cursor');
    const list = await client.call(client.api.v1.documents.$get({ query: { limit: '30', ...(type ? { type } : {}), ...(cursor ? { cursor } : {}) } }));
    if (!list.ok) return problemPage(c, list.problem, 'Документы');
    const { items, nextCursor } = list.data;
    const pending = items.some((d) => d.status === 'pending');
    return render(
      c,
      { title: 'Документы' },
      <>
        <p class="hint">
          Здесь все заказанные файлы: отчёты, счета на оплату, упаковочные листы, описи. Новый отчёт — в разделе <a href="/cabinet/reports">«Отчёты»</a>.
        </p>
        <TypeFilter type={type} />
        {/* While something is being made the list refreshes itself, so «готовится» turns into a link without a reload. */}
        <section
          id="documents"
          aria-live="polite"
          {...(pending ? { 'hx-get': listHref(c.req.url), 'hx-trigger': 'every 2s', 'hx-select': '#documents', 'hx-swap': 'outerHTML' } : {})}
        >
          {items.length === 0 ? <p>{type ? `Документов вида «${DOCUMENT_TITLES[type]}» нет.` : 'Документов пока нет.'}</p> : <DocumentRows items={items} />}
          {nextCursor && (
            <p>
              <a href={`/cabinet/documents?${new URLSearchParams({ ...(type ? { type } : {}), cursor: nextCursor }).toString()}`}>Следующая страница →</a>
            </p>
          )}
        </section>
      </>,
    );
  });

  app.get('/documents/:id', async (c) => {
    const part = await loadDoc(c, c.req.param('id'));
    if (!part.ok) return problemPage(c, part.problem, 'Документ');
    return render(
      c,
      { title: part.doc.title },
      <>
        <DocumentSummary doc={part.doc} />
        <Progress doc={part.doc} />
        <p>
          <a href="/cabinet/documents">Все документы</a>
        </p>
      </>,
    );
  });

  app.get('/documents/:id/progress', async (c) => {
    const id = c.req.param('id');
    // Polled only while pending: a hiccup keeps showing the wait (only `id` of it is drawn).
    const part = await loadDoc(c, id, { id, type: 'receivables', title: '', status: 'pending', createdAt: '' });
    if (!part.ok) return problemPage(c, part.problem);
    return c.html(<Progress doc={part.doc} hiccup={part.hiccup} />);
  });

  // The API's answer passed on as it streams: its type and file name, never buffered here.
  app.get('/documents/:id/file', async (c) => {
    const { client } = session(c);
    const response = await client.api.v1.documents[':id'].file.$get({ param: { id: c.req.param('id') } });
    if (!response.ok) {
      const refused = await client.call(Promise.resolve(response));
      return refused.ok ? c.redirect(`/cabinet/documents/${c.req.param('id')}`, 303) : problemPage(c, refused.problem, 'Документ');
    }
    const headers = new Headers({ 'Cache-Control': 'private, no-store' });
    for (const name of ['Content-Type', 'Content-Disposition', 'Content-Length']) {
      const value = response.headers.get(name);
      if (value) headers.set(name, value);
    }
    return new Response(response.body, { status: 200, headers });
  });

  reportPages(app);
  realizationPages(app);
  paymentPages(app);
}
