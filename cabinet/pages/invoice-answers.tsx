/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { allOf, FormKey, keyHeaders } from '../forms.js';
import { moscowTime, problemPage, rub } from '../layout.js';
import { session, type CabinetEnv } from '../session.js';
import { ifMatch, type Invoice } from './invoice-actions.js';
import { PendingChanges, type HistoryEntry } from './invoice-history.js';

/**
 * A «Изменен» invoice explained line by line (what each changed line was and is, who changed it,
 * why and when) and the customer's answer per line: keep it as changed, keep a lowered line and
 * wait for the rest (the waitlist), or remove it (POST /v1/invoices/{id}/answer-changes). «Принять изменения» stays the one-click path.
 */

type Line = Invoice['lines'][number];
type Change = NonNullable<Line['change']>;
export type Answer = 'accept' | 'remove' | 'wait';
/** The answers the customer chose, by SKU: kept on the page when the API refuses them. */
export type Answers = Record<string, Answer>;
type Message = { notice?: string | undefined; error?: string | undefined; status?: number; answers?: Answers };
type InvoicePage = (c: Context<CabinetEnv>, id: string, message?: Message) => Response | Promise<Response>;

const ANSWERS: Record<Answer, string> = { accept: 'Оставить как изменено', remove: 'Убрать из счёта', wait: 'Оставить и дождаться остального' };
const BY: Record<Change['by'], string> = { manager: 'менеджер', stock: 'остаток на складе' };

/** The line's name as the customer reads it on the lines table. */
export const lineTitle = (line: Line) => `${line.name}${line.characteristic ? `, ${line.characteristic}` : ''} (${line.sku})`;
/** The anchor of a changed line's explanation, linked from the lines table. */
export const changeAnchor = (index: number) => `change-${index}`;

function beforeAfter(before: string, after: string, unit = '') {
  return before === after ? `${after}${unit} (без изменений)` : `${before}${unit} → ${after}${unit}`;
}

function ChangeFacts({ change }: { change: Change }) {
  return (
    <dl class="change-facts">
      <dt>Подтверждено</dt>
      <dd>{beforeAfter(String(change.before.approved), String(change.after.approved), ' шт.')}</dd>
      <dt>Цена</dt>
      <dd>{beforeAfter(rub(change.before.price), rub(change.after.price))}</dd>
      <dt>Кто изменил</dt>
      <dd>{BY[change.by]}</dd>
      <dt>Причина</dt>
      <dd>{change.reason}</dd>
      <dt>Когда</dt>
      <dd>{moscowTime(change.at)} (МСК)</dd>
    </dl>
  );
}

/** Waiting for the rest is offered only where the change lowered what is approved. */
const choicesFor = (line: Line): Answer[] =>
  line.change && line.change.after.approved < line.change.before.approved ? ['accept', 'wait', 'remove'] : ['accept', 'remove'];

function AnswerChoice({ line, index, position, chosen }: { line: Line; index: number; position: number; chosen: Answer }) {
  return (
    <fieldset class="line-change" id={changeAnchor(index)}>
      <legend>{lineTitle(line)}</legend>
      {line.change && <ChangeFacts change={line.change} />}
      <input type="hidden" name="sku" value={line.sku} />
      <div class="answer-choices">
        {choicesFor(line).map((answer) => (
          <label class="choice">
            <input type="radio" name={`answer${position}`} value={answer} checked={chosen === answer} required /> {ANSWERS[answer]}
            {answer === 'wait' && line.change ? ` (${line.change.before.approved - line.change.after.approved} шт. — в лист ожидания)` : ''}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

interface SectionProps {
  invoice: Invoice;
  customer: boolean;
  /** Stored entries that changed the invoice: the explanation when no line carries its change. */
  history: HistoryEntry[];
  chosen?: Answers | undefined;
}

/** «Что изменилось»: each changed line, and for the customer the answer form. */
export function ChangesSection({ invoice, customer, history, chosen = {} }: SectionProps) {
  const changed = invoice.lines.flatMap((line, index) => (line.change ? [{ line, index }] : []));
  const answerable = customer && changed.length > 0 && invoice.allowedActions.includes('answerChanges');
  return (
    <section class="changes" aria-labelledby="changes-title">
      <h2 id="changes-title">Что изменилось</h2>
      {customer &&
        (answerable ? (
          <p>
            Счёт изменён не по вашей инициативе. По каждой изменённой позиции выберите, оставить её как изменено или убрать из счёта, и нажмите «Ответить по
            позициям» — счёт будет подтверждён. Согласны со всеми изменениями — нажмите «Принять изменения» ниже. Не согласны — измените количества или отмените
            счёт.
          </p>
        ) : (
          <p>
            Счёт изменён не по вашей инициативе. Проверьте позиции и нажмите «Принять изменения» — система ещё раз проверит наличие и подтвердит счёт. Не
            согласны — измените количества или отмените счёт.
          </p>
        ))}
      {changed.length === 0 && <PendingChanges changes={history} />}
      {answerable ? (
        <form method="post" action={`/cabinet/invoices/${invoice.id}/answer`} class="line-changes">
          <input type="hidden" name="version" value={String(invoice.version)} />
          <FormKey />
          {changed.map(({ line, index }, position) => (
            <AnswerChoice line={line} index={index} position={position} chosen={chosen[line.sku] ?? 'accept'} />
          ))}
          <p>
            <button type="submit" class="primary">
              Ответить по позициям
            </button>
          </p>
        </form>
      ) : (
        changed.length > 0 && (
          <div class="line-changes">
            {changed.map(({ line, index }) => (
              <div class="line-change" id={changeAnchor(index)}>
                <h3>{lineTitle(line)}</h3>
                {line.change && <ChangeFacts change={line.change} />}
              </div>
            ))}
          </div>
        )
      )}
    </section>
  );
}

const isAnswer = (value: unknown): value is Answer => value === 'accept' || value === 'remove' || value === 'wait';

export function answerPages(app: Hono<CabinetEnv>, invoicePage: InvoicePage): void {
  app.post('/invoices/:id/answer', async (c) => {
    const { client } = session(c);
    const id = c.req.param('id');
    const form = await c.req.parseBody({ all: true });
    // The i-th changed line's radios are answer<i>; its SKU is the i-th hidden field.
    const lines = allOf(form.sku).map((sku, i) => ({ sku, answer: form[`answer${i}`] }));
    const answers: Answers = Object.fromEntries(lines.flatMap((l) => (isAnswer(l.answer) ? [[l.sku, l.answer]] : [])));
    if (lines.length === 0 || Object.keys(answers).length !== lines.length)
      return invoicePage(c, id, { error: 'Выберите ответ по каждой изменённой позиции', status: 400, answers });
    const json = { lines: lines.map((l) => ({ sku: l.sku, answer: answers[l.sku] ?? 'accept' })) };
    const target = client.api.v1.invoices[':id']['answer-changes'];
    const result = await client.call(target.$post({ param: { id }, header: ifMatch(form), json }, keyHeaders(form)));
    if (!result.ok)
      return result.status === 401 ? problemPage(c, result.problem) : invoicePage(c, id, { error: result.problem.detail, status: result.status, answers });
    const notice = json.lines.some((l) => l.answer === 'wait')
      ? 'answered-waiting'
      : json.lines.some((l) => l.answer === 'remove')
        ? 'answered-removed'
        : 'answered';
    return c.redirect(`/cabinet/invoices/${id}?notice=${notice}`, 303);
  });
}
