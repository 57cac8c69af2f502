/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { Waiting } from '../components.js';
import { allOf, FormKey, keyHeaders } from '../forms.js';
import { Alert, problemPage, render } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';

/**
 * The customer's buttons on an invoice: send for confirmation (from «Изменен»: accept the
 * changes), shipment, cancel, undo a merge, inventory & certificates; and the merge of invoices
 * chosen on the list. Every refusal shows the API's own Russian reason on the invoice's page.
 */

export type Invoice = ResponseData<CabinetClient['api']['v1']['invoices'][':id']['$get']>;
export const ACTIONS = ['submit', 'ship', 'cancel'] as const;
type Action = (typeof ACTIONS)[number];
type Message = { notice?: string | undefined; error?: string | undefined; status?: number };
type InvoicePage = (c: Context<CabinetEnv>, id: string, message?: Message) => Response | Promise<Response>;

const BUTTONS: Record<Action, string> = {
  submit: 'Отправить счёт на подтверждение',
  ship: 'Отправить счёт на отгрузку',
  cancel: 'Отменить счёт',
};

/** Number and status of the invoices this one was merged from or into, by id. */
export type Related = Map<string, { number: string; statusLabel: string; status: string }>;

export async function relatedInvoices(client: CabinetClient, invoice: Invoice): Promise<Related> {
  const ids = [...(invoice.mergedFrom ?? []), ...(invoice.mergedInto ? [invoice.mergedInto] : [])];
  const found = await Promise.all(ids.map((id) => client.call(client.api.v1.invoices[':id'].$get({ param: { id } }))));
  return new Map(found.flatMap((r) => (r.ok ? [[r.data.id, r.data] as const] : [])));
}

/**
 * The API offers no "unmerge" action: the undo is possible while the merged invoice is a draft and
 * its sources still wait for deletion, which is what the API itself checks (and explains if not).
 */
export function canUnmerge(invoice: Invoice, related: Related): boolean {
  const sources = invoice.mergedFrom ?? [];
  return invoice.status === 'draft' && sources.length > 0 && sources.every((id) => related.get(id)?.status === 'marked_for_deletion');
}

export function MergedFrom({ invoice, related }: { invoice: Invoice; related: Related }) {
  if (!invoice.mergedFrom?.length) return null;
  return (
    <p class="merged">
      Счёт получен объединением счетов:{' '}
      {invoice.mergedFrom.map((id, i) => {
        const source = related.get(id);
        return (
          <>
            {i > 0 ? ', ' : ''}
            <a href={`/cabinet/invoices/${id}`}>{source?.number ?? 'счёт'}</a>
            {source ? ` (${source.statusLabel})` : ''}
          </>
        );
      })}
    </p>
  );
}

function Versioned({ invoice }: { invoice: Invoice }) {
  return (
    <>
      <input type="hidden" name="version" value={String(invoice.version)} />
      <FormKey />
    </>
  );
}

export function ActionForm({ invoice, action }: { invoice: Invoice; action: Action }) {
  // From «Изменен» sending for confirmation means accepting what changed (PRODUCT.md).
  const accept = action === 'submit' && invoice.status === 'changed';
  return (
    <form method="post" action={`/cabinet/invoices/${invoice.id}/${action}`} class={action === 'cancel' ? 'action danger' : 'action'}>
      <Versioned invoice={invoice} />
      {accept && <input type="hidden" name="accept" value="yes" />}
      {action === 'cancel' && (
        <label class="choice">
          <input type="checkbox" name="sure" value="yes" required /> Да, удалить счёт и снять резерв
        </label>
      )}
      <button type="submit" class={action === 'cancel' ? 'secondary' : 'primary'}>
        {accept ? 'Принять изменения' : BUTTONS[action]}
      </button>
    </form>
  );
}

/** Undo a merge and the inventory request: shown when the invoice allows them. */
export function MoreActions({ invoice, related }: { invoice: Invoice; related: Related }) {
  return (
    <>
      {canUnmerge(invoice, related) && (
        <form method="post" action={`/cabinet/invoices/${invoice.id}/unmerge`} class="action">
          <Versioned invoice={invoice} />
          <button type="submit" class="secondary">
            Отменить объединение
          </button>
          <span class="muted">исходные счета вернутся, этот будет удалён</span>
        </form>
      )}
      {invoice.allowedActions.includes('requestInventory') && (
        <form method="post" action={`/cabinet/invoices/${invoice.id}/inventory`} class="action">
          <FormKey />
          <button type="submit" class="primary">
            Запросить опись и сертификаты
          </button>
          <span class="muted">PDF будет готов через несколько секунд и придёт на почту</span>
        </form>
      )}
    </>
  );
}

/** The version the page showed; a form without one fails the API's own check of the header. */
export const ifMatch = (form: Record<string, unknown>) => ({ 'if-match': typeof form.version === 'string' ? form.version : '' });

/**
 * The merge form's Idempotency-Key. The API stores a refusal under its key, so after one the form
 * gets a fresh key (swapped in out of band), or the next try with other invoices would be refused as a reused key.
 */
export function MergeKey({ oob = false }: { oob?: boolean }) {
  return <input type="hidden" id="merge-key" name="key" value={crypto.randomUUID()} {...(oob ? { 'hx-swap-oob': 'true' } : {})} />;
}

/** The merge's wait: the new invoice is asked for every second until the API shows it. */
export function MergeWaiting({ id }: { id: string }) {
  return (
    <Waiting
      poll={`/cabinet/invoices/${id}/ready`}
      doing="Объединяем счета…"
      hint="Резервы переносятся в новый счёт; исходные счета будут помечены на удаление."
      reload={`/cabinet/invoices/${id}?notice=merged`}
    />
  );
}

export function invoiceActionPages(app: Hono<CabinetEnv>, invoicePage: InvoicePage): void {
  const refused = (c: Context<CabinetEnv>, id: string, result: { status: number; problem: Parameters<typeof problemPage>[1] }) =>
    result.status === 401 ? problemPage(c, result.problem) : invoicePage(c, id, { error: result.problem.detail, status: result.status });

  app.post('/invoices/merge', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody({ all: true });
    const invoiceIds = allOf(form.invoice);
    const htmx = Boolean(c.req.header('HX-Request'));
    const fail = (text: string, status: number) =>
      htmx
        ? c.html(
            <>
              <Alert text={text} />
              <MergeKey oob />
            </>,
            status as 400,
          )
        : render(c, { title: 'Счета не объединены', error: text, status }, <a href="/cabinet/invoices">К счетам</a>);
    if (invoiceIds.length < 2) return fail('Отметьте не меньше двух счетов, чтобы объединить их', 400);
    const result = await client.call(client.api.v1.invoices.merge.$post({ json: { invoiceIds } }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : fail(result.problem.detail, result.status);
    const next = `/cabinet/invoices/${result.data.invoiceId}?notice=merged`;
    if (!htmx) return c.redirect(next, 303);
    c.header('HX-Redirect', next);
    return c.body(null, 204);
  });

  // Polled by MergeWaiting: the waiting part again, or a full load of the page once it exists.
  app.get('/invoices/:id/ready', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const invoice = await client.call(client.api.v1.invoices[':id'].$get({ param: { id } }));
    if (!invoice.ok && invoice.status !== 404 && invoice.status < 500) return problemPage(c, invoice.problem);
    if (!invoice.ok || invoice.data.status === 'checking') return c.html(<MergeWaiting id={id} />);
    c.header('HX-Redirect', `/cabinet/invoices/${id}?notice=merged`);
    return c.body(null, 204);
  });

  app.post('/invoices/:id/:action{submit|ship|cancel}', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const action = c.req.param('action') as Action;
    const form = await c.req.parseBody();
    if (action === 'cancel' && form.sure !== 'yes') return invoicePage(c, id, { error: 'Отметьте «Да, удалить счёт», чтобы отменить его', status: 400 });
    const target = client.api.v1.invoices[':id'][action];
    const result = await client.call(target.$post({ param: { id }, header: ifMatch(form) }, keyHeaders(form)));
    if (!result.ok) return refused(c, id, result);
    return c.redirect(`/cabinet/invoices/${id}?notice=${form.accept === 'yes' ? 'accept' : action}`, 303);
  });

  app.post('/invoices/:id/unmerge', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const result = await client.call(client.api.v1.invoices[':id'].unmerge.$post({ param: { id }, header: ifMatch(form) }, keyHeaders(form)));
    if (!result.ok) return refused(c, id, result);
    // The merged invoice is gone: the list shows the sources back.
    return c.redirect('/cabinet/invoices?notice=unmerged', 303);
  });

  // The document is made in the background: its own page shows the progress and the download.
  app.post('/invoices/:id/inventory', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const result = await client.call(client.api.v1.invoices[':id']['inventory-request'].$post({ param: { id } }, keyHeaders(form)));
    if (!result.ok) return refused(c, id, result);
    return c.redirect(`/cabinet/documents/${result.data.documentId}`, 303);
  });
}
