/**
 * Report periods. Dates are Moscow calendar days as ISO strings ("2026-11-27"); the limits come
 * from the customer guide: mutual settlements reach at most one year back, sales and realizations
 * half a year. Longer periods are the manager's job, so the refusal says to contact them.
 */

export const PERIOD_REPORTS = ['settlements', 'sales', 'realizations'] as const;
export type PeriodReport = (typeof PERIOD_REPORTS)[number];

/** How many calendar months back a period may start, counted from today. */
export const PERIOD_LIMIT_MONTHS: Record<PeriodReport, number> = {
  settlements: 12,
  sales: 6,
  realizations: 6,
};

const REPORT_NAMES: Record<PeriodReport, string> = {
  settlements: 'акт сверки взаиморасчётов',
  sales: 'отчёт по продажам',
  realizations: 'отчёт по реализациям',
};

export type PeriodCheck =
  { ok: true; from: string; to: string } | { ok: false; code: 'validation_failed' | 'period_too_long'; message: string; earliest?: string };

const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Today's Moscow calendar date. */
export function moscowToday(epochMs: number): string {
  return new Date(epochMs + MOSCOW_OFFSET_MS).toISOString().slice(0, 10);
}

export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * The same day `months` calendar months earlier; a day the target month lacks becomes its last
 * day (31 Aug − 6 months = 28/29 Feb), so the limit never reaches further back than a month allows.
 */
export function monthsBefore(date: string, months: number): string {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const index = year * 12 + (month - 1) - months;
  const y = Math.floor(index / 12);
  const mo = index - y * 12; // 0-based
  const lastDay = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(mo + 1).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}

/** The earliest start a customer may ask for today. */
export function earliestStart(report: PeriodReport, today: string): string {
  return monthsBefore(today, PERIOD_LIMIT_MONTHS[report]);
}

/** "27.11.2026" */
export function formatDateRu(date: string): string {
  const m = DATE.exec(date);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : date;
}

/** Checks a requested period against today's limit for the report. Pure. */
export function checkPeriod(report: PeriodReport, from: string, to: string, today: string): PeriodCheck {
  if (!isIsoDate(from) || !isIsoDate(to)) return { ok: false, code: 'validation_failed', message: 'Даты периода должны быть в формате ГГГГ-ММ-ДД' };
  if (from > to) return { ok: false, code: 'validation_failed', message: 'Начало периода позже его конца' };
  if (from > today) return { ok: false, code: 'validation_failed', message: 'Период начинается в будущем' };
  const earliest = earliestStart(report, today);
  if (from < earliest) {
    const limit = PERIOD_LIMIT_MONTHS[report] === 12 ? 'один год' : 'полгода';
    return {
      ok: false,
      code: 'period_too_long',
      earliest,
      message:
        `${capitalize(REPORT_NAMES[report])} можно сформировать не более чем за ${limit}: начало периода не раньше ${formatDateRu(earliest)}. ` +
        'За более ранний период обратитесь к вашему менеджеру.',
    };
  }
  return { ok: true, from, to };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
