/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { earliestStart, formatDateRu, isIsoDate, moscowToday, PERIOD_LIMIT_MONTHS, type PeriodReport } from '../../core/domain/periods.js';
import { FormKey, keyHeaders } from '../forms.js';
import { problemPage, render } from '../layout.js';
import { session, type CabinetEnv } from '../session.js';

/**
 * Ordering reports ("Отчёты"). Each form says its period limit before the customer asks (the same
 * rule the API applies, from core/domain), and the date fields carry it as min/max; the API still
 * decides, and its Russian reason is shown when it refuses. An accepted request goes to the
 * document's page, which waits for the file.
 */

type ReportType = 'receivables' | PeriodReport;

const REPORTS: { type: ReportType; title: string; about: string }[] = [
  { type: 'receivables', title: 'Отчёт по дебиторской задолженности', about: 'Сколько вы должны на сегодня и какие сроки оплаты подходят.' },
  { type: 'settlements', title: 'Акт сверки взаиморасчётов', about: 'Отгрузки и оплаты за период с сальдо на начало и конец.' },
  { type: 'sales', title: 'Отчёт по продажам', about: 'Что и в каком количестве вам отгружено за период, по товарам.' },
  { type: 'realizations', title: 'Отчёт по реализациям', about: 'Реализации (отгрузки) за период с суммами.' },
];
const isReport = (value: unknown): value is ReportType => REPORTS.some((r) => r.type === value);

/** "полугода", "года": how far back a period may start, in the genitive the hint needs. */
function limitText(report: PeriodReport): string {
  const months = PERIOD_LIMIT_MONTHS[report];
  return months === 12 ? 'года' : months === 6 ? 'полугода' : `${months} мес.`;
}

/** The first day of today's month, or the earliest allowed start if that is later. */
function defaultFrom(report: PeriodReport, today: string): string {
  const monthStart = `${today.slice(0, 8)}01`;
  const earliest = earliestStart(report, today);
  return monthStart < earliest ? earliest : monthStart;
}

interface Entered {
  type: ReportType;
  from: string;
  to: string;
}

function PeriodFields({ report, today, entered }: { report: PeriodReport; today: string; entered: Entered | undefined }) {
  const earliest = earliestStart(report, today);
  const mine = entered?.type === report ? entered : undefined;
  return (
    <>
      <p class="hint" id={`limit-${report}`}>
        Начало периода — не раньше {formatDateRu(earliest)} (не более {limitText(report)} назад). За более ранний период обратитесь к вашему менеджеру.
      </p>
      <div class="period">
        <div class="field">
          <label for={`from-${report}`}>Начало периода</label>
          <input
            id={`from-${report}`}
            name="from"
            type="date"
            required
            min={earliest}
            max={today}
            value={mine?.from ?? defaultFrom(report, today)}
            aria-describedby={`limit-${report}`}
          />
        </div>
        <div class="field">
          <label for={`to-${report}`}>Конец периода</label>
          <input id={`to-${report}`} name="to" type="date" required min={earliest} value={mine?.to ?? today} />
        </div>
      </div>
    </>
  );
}

function ReportForm({ report, today, entered }: { report: (typeof REPORTS)[number]; today: string; entered: Entered | undefined }) {
  const { type, title, about } = report;
  return (
    <section class="report" aria-labelledby={`h-${type}`}>
      <h2 id={`h-${type}`}>{title}</h2>
      <p>{about}</p>
      <form method="post" action="/cabinet/reports" class="stack" aria-label={title}>
        <FormKey />
        <input type="hidden" name="type" value={type} />
        {type === 'receivables' ? <p class="hint">Формируется на сегодня: период не нужен.</p> : <PeriodFields report={type} today={today} entered={entered} />}
        {/* The visible word plus which report: four «Заказать» buttons must differ for a screen reader. */}
        <button type="submit" class="primary" aria-label={`Заказать: ${title}`}>
          Заказать
        </button>
      </form>
    </section>
  );
}

function reportsPage(c: Context<CabinetEnv>, message: { error?: string; status?: number; entered?: Entered } = {}) {
  const today = moscowToday(Date.now());
  return render(
    c,
    { title: 'Отчёты', error: message.error, status: message.status ?? 200 },
    <>
      <p class="hint">
        Отчёт готовится несколько секунд: после заказа откроется его страница, где появится ссылка на файл (Excel). Копия придёт на почту; все файлы — в разделе{' '}
        <a href="/cabinet/documents">«Документы»</a>.
      </p>
      <div class="reports">
        {REPORTS.map((report) => (
          <ReportForm report={report} today={today} entered={message.entered} />
        ))}
      </div>
    </>,
  );
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

export function reportPages(app: Hono<CabinetEnv>): void {
  app.get('/reports', (c) => reportsPage(c));

  app.post('/reports', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    if (!isReport(form.type)) return reportsPage(c, { error: 'Выберите отчёт из списка', status: 400 });
    const entered: Entered = { type: form.type, from: text(form.from), to: text(form.to) };
    // An empty or malformed date would come back as a technical validation message: say it plainly.
    if (entered.type !== 'receivables' && !(isIsoDate(entered.from) && isIsoDate(entered.to))) {
      return reportsPage(c, { error: 'Укажите начало и конец периода датами', status: 400, entered });
    }
    const json = entered.type === 'receivables' ? { type: entered.type } : { type: entered.type, from: entered.from, to: entered.to };
    const result = await client.call(client.api.v1.documents.$post({ json }, keyHeaders(form)));
    if (!result.ok) {
      if (result.status === 401) return problemPage(c, result.problem);
      return reportsPage(c, { error: result.problem.detail, status: result.status, entered });
    }
    return c.redirect(`/cabinet/documents/${result.data.documentId}`, 303);
  });
}
