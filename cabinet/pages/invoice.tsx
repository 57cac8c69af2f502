/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { ResponseData } from '../../client/index.js';
import { GoodsTable, InvoiceSummary } from '../components.js';
import { allOf, FormKey, keyHeaders, quantityOf } from '../forms.js';
import { moscowTime, problemPage, render, rub } from '../layout.js';
import { session, type CabinetClient, type CabinetEnv } from '../session.js';
import {
  ACTIONS,
  ActionForm,
  ifMatch,
  invoiceActionPages,
  MergedFrom,
  MergeWaiting,
  MoreActions,
  relatedInvoices,
  canUnmerge,
  type Related,
} from './invoice-actions.js';
import { answerPages, changeAnchor, ChangesSection, type Answers } from './invoice-answers.js';
import { History, pendingChanges, type HistoryEntry } from './invoice-history.js';
import { ManagerChange, managerPages, PaymentForm } from './manager.js';
import { JoinWaitlist } from './waitlist-join.js';

/**
 * One invoice: its lines (approved and rejected, with the reason), quantity edits (saved as a
 * draft), and the customer's actions. Which buttons show is the API's `allowedActions`; every
 * write sends the version the page showed (If-Match), so a page left open while the invoice moved
 * on is refused with the API's reason rather than acting on what the customer no longer sees.
 */

type Invoice = ResponseData<CabinetClient['api']['v1']['invoices'][':id']['$get']>;
type Line = Invoice['lines'][number];

const NOTICES: Record<string, string> = {
  added: 'Товары из корзины добавлены в счёт и проверены по остаткам.',
  edit: 'Изменения сохранены. Нажмите «Отправить счёт на подтверждение», чтобы система проверила наличие.',
  submit: 'Счёт проверен и подтверждён.',
  accept: 'Изменения приняты: счёт проверен и подтверждён.',
  answered: 'Ответ по позициям принят: счёт подтверждён.',
  'answered-removed': 'Ответ по позициям принят: счёт подтверждён, убранные позиции сняты с резерва.',
  'answered-waiting': 'Ответ по позициям принят: счёт подтверждён, недостающее — в листе ожидания: сообщим, когда поступит.',
  merged: 'Счета объединены в этот счёт (статус «Редактируется»). Отправьте его на подтверждение или отмените объединение.',
  ship: 'Счёт отправлен на отгрузку: изменить его больше нельзя. На почту придёт письмо.',
  cancel: 'Счёт удалён, товары сняты с резерва.',
  adjust: 'Счёт изменён: клиент увидит комментарий и примет изменения.',
  payment: 'Оплата зарегистрирована: она войдёт в дебиторскую задолженность и акт сверки клиента.',
  waitlist: 'Отложенный товар из листа ожидания добавлен в счёт.',
  'payment-again': 'Оплата с этим платёжным поручением уже зарегистрирована: повтор не учтён.',
};

const REASONS: Record<string, string> = { out_of_stock: 'нет на складе', unknown_sku: 'нет в каталоге' };

function Summary({ invoice, related }: { invoice: Invoice; related: Related }) {
  return (
    <InvoiceSummary
      invoice={invoice}
      amountNote={
        <>
          {' '}
          <span class="muted">
            (в т. ч. НДС {invoice.totals.vatRate}%: {rub(invoice.totals.vat)})
          </span>
        </>
      }
    >
      {invoice.expiresAt && (
        <>
          <dt>Будет удалён</dt>
          <dd>{moscowTime(invoice.expiresAt)} (МСК), если не отправить его на отгрузку</dd>
        </>
      )}
      {invoice.mergedInto && (
        <>
          <dt>Объединён в счёт</dt>
          <dd>
            <a href={`/cabinet/invoices/${invoice.mergedInto}`}>{related.get(invoice.mergedInto)?.number ?? 'открыть'}</a>
          </dd>
        </>
      )}
    </InvoiceSummary>
  );
}

function LineRow({ line, index, editable, invoiceId }: { line: Line; index: number; editable: boolean; invoiceId: string | undefined }) {
  return (
    <tr>
      <td>
        {line.name}
        <div class="muted">
          {line.characteristic ? `${line.characteristic} · ` : ''}
          {line.sku}
        </div>
        {line.change && (
          <a class="changed-mark" href={`#${changeAnchor(index)}`}>
            изменено<span class="sr-only">: {line.sku}, что и почему</span>
          </a>
        )}
        {/* Pieces refused for lack of stock can be waited for; an SKU gone from the catalog cannot. */}
        {invoiceId && line.rejected > 0 && line.rejectionReason !== 'unknown_sku' && (
          <JoinWaitlist id={`l${index}`} sku={line.sku} title={`${line.name} (${line.sku})`} quantity={line.rejected} invoiceId={invoiceId} />
        )}
      </td>
      <td class="num">{rub(line.price)}</td>
      <td class="num">
        {editable ? (
          <>
            <input type="hidden" name="sku" value={line.sku} form="edit" />
            <input type="hidden" name="was" value={String(line.requested)} form="edit" />
            <label for={`q${index}`} class="sr-only">
              Количество: {line.name}, {line.characteristic ?? ''} ({line.sku})
            </label>
            <input id={`q${index}`} name="quantity" type="number" inputmode="numeric" min="0" value={String(line.requested)} form="edit" required />
          </>
        ) : (
          line.requested
        )}
      </td>
      <td class="num">{line.approved}</td>
      <td class={line.rejected > 0 ? 'num rejected' : 'num'}>
        {line.rejected}
        {line.rejected > 0 && line.rejectionReason ? <div class="muted">{REASONS[line.rejectionReason] ?? line.rejectionReason}</div> : null}
      </td>
      <td class="num">{rub(line.total)}</td>
    </tr>
  );
}

interface ViewProps {
  invoice: Invoice;
  role: string;
  history: HistoryEntry[];
  related: Related;
  /** The customer's answers to the changes, shown again after the API refused them. */
  chosen?: Answers | undefined;
}

function InvoiceView({ invoice, role, history, related, chosen }: ViewProps) {
  const customer = role === 'customer';
  // The actions are the customer's (a manager sees the invoice; the API would refuse them anyway).
  const allowed = customer ? invoice.allowedActions : [];
  const editable = allowed.includes('edit');
  const more = customer && (canUnmerge(invoice, related) || allowed.includes('requestInventory'));
  return (
    <>
      <Summary invoice={invoice} related={related} />
      <MergedFrom invoice={invoice} related={related} />
      {invoice.status === 'changed' && <ChangesSection invoice={invoice} customer={customer} history={pendingChanges(history)} chosen={chosen} />}
      {customer && invoice.status === 'draft' && (
        <p class="hint">Отправить счёт на отгрузку можно после подтверждения: нажмите «Отправить счёт на подтверждение».</p>
      )}
      <h2>Позиции</h2>
      <form id="edit" method="post" action={`/cabinet/invoices/${invoice.id}/edit`}>
        <input type="hidden" name="version" value={String(invoice.version)} />
        <FormKey />
      </form>
      <GoodsTable caption="Позиции счёта" numbers={['Цена', 'Заказано', 'Подтверждено', 'Отклонено', 'Сумма']}>
        {invoice.lines.map((line, index) => (
          <LineRow line={line} index={index} editable={editable} invoiceId={customer ? invoice.id : undefined} />
        ))}
      </GoodsTable>
      {editable && (
        <p>
          <button type="submit" form="edit">
            Сохранить изменения
          </button>{' '}
          <span class="muted">0 — удалить позицию</span>
        </p>
      )}
      {role === 'manager' && (
        <>
          <h2>Изменить счёт</h2>
          <ManagerChange invoice={invoice} />
          <h2>Оплата клиента</h2>
          <PaymentForm invoice={invoice} />
        </>
      )}
      {customer && <h2>Действия</h2>}
      <div class="actions">
        {ACTIONS.filter((a) => allowed.includes(a)).map((action) => (
          <ActionForm invoice={invoice} action={action} />
        ))}
        {customer && <MoreActions invoice={invoice} related={related} />}
        {allowed.includes('addItems') && (
          <p>
            <a href="/cabinet/catalog">Добавить товары в счёт</a>: положите их в корзину и выберите этот счёт при оформлении.
          </p>
        )}
        {customer && !more && !ACTIONS.some((a) => allowed.includes(a)) && (
          <p class="muted">Счёт в статусе «{invoice.statusLabel}» изменить нельзя: действий с ним в кабинете нет.</p>
        )}
      </div>
      <History history={history} />
    </>
  );
}

type Message = { notice?: string | undefined; error?: string | undefined; status?: number; answers?: Answers };

async function invoicePage(c: Context<CabinetEnv>, id: string, { answers, ...message }: Message = {}) {
  const { client } = session(c);
  const [invoice, history] = await Promise.all([
    client.call(client.api.v1.invoices[':id'].$get({ param: { id } })),
    client.call(client.api.v1.invoices[':id'].history.$get({ param: { id } })),
  ]);
  // Right after a merge the new invoice may not be readable yet: wait for it visibly.
  if (!invoice.ok && invoice.status === 404 && c.req.query('notice') === 'merged') return render(c, { title: 'Объединение счетов' }, <MergeWaiting id={id} />);
  if (!invoice.ok) return problemPage(c, invoice.problem, 'Счёт');
  const related = await relatedInvoices(client, invoice.data);
  // The history is an addition: the invoice still shows if it cannot be read.
  const view = <InvoiceView invoice={invoice.data} role={session(c).claims.role} history={history.ok ? history.data : []} related={related} chosen={answers} />;
  return render(c, { title: `Счёт ${invoice.data.number}`, ...message }, view);
}

export function invoicePages(app: Hono<CabinetEnv>): void {
  app.get('/invoices/:id', (c) => invoicePage(c, c.req.param('id'), { notice: NOTICES[c.req.query('notice') ?? ''] }));

  app.post('/invoices/:id/edit', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody({ all: true });
    const [skus, quantities, was] = [allOf(form.sku), allOf(form.quantity), allOf(form.was)];
    const lines: { sku: string; quantity: number }[] = [];
    for (const [i, sku] of skus.entries()) {
      const quantity = quantityOf(quantities[i]);
      if (quantity === undefined) return invoicePage(c, id, { error: 'Количество — целое число, 0 удаляет позицию', status: 400 });
      // Only what the customer changed: an untouched line keeps its approval.
      if (String(quantity) !== was[i]) lines.push({ sku, quantity });
    }
    if (lines.length === 0) return invoicePage(c, id, { notice: 'Изменений нет: поменяйте количество и сохраните.' });
    const result = await client.call(client.api.v1.invoices[':id'].$patch({ param: { id }, header: ifMatch(form), json: { lines } }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : invoicePage(c, id, { error: result.problem.detail, status: result.status });
    return c.redirect(`/cabinet/invoices/${id}?notice=edit`, 303);
  });

  invoiceActionPages(app, invoicePage);
  answerPages(app, invoicePage);
  managerPages(app, invoicePage);
}
