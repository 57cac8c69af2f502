import type { InvoiceLine } from './invoice.js';
import type { Kopecks } from './money.js';

/**
 * What the customer did not initiate on one line (a manager's change or a stock correction), kept
 * on the line while the invoice is "Изменен", so the customer sees before and after, who and why,
 * and answers line by line.
 */
export interface LineChange {
  by: 'manager' | 'stock';
  /** The manager's id; the stock correction's id for a cut. */
  actorId: string;
  /** The manager's comment, or the cut's Russian reason. */
  reason: string;
  at: string;
  /** The line before the first unanswered change; a second change keeps it. */
  before: { approved: number; priceKopecks: Kopecks };
}

/** `wait`: keep a lowered line at its new quantity and wait for the rest (the waitlist). */
export const CHANGE_ANSWERS = ['accept', 'remove', 'wait'] as const;
export type ChangeAnswer = (typeof CHANGE_ANSWERS)[number];

/** Marks the lines a change altered (approved quantity or price), keeping each line's first `before` and earlier marks. */
export function markChanged(
  before: readonly InvoiceLine[],
  after: readonly InvoiceLine[],
  { reason, ...change }: Omit<LineChange, 'before' | 'reason'> & { reason: string | ((sku: string) => string) },
): InvoiceLine[] {
  const old = new Map(before.map((l) => [l.sku, l]));
  return after.map((line) => {
    const was = old.get(line.sku);
    if (!was) return line;
    // Untouched by this change: an earlier unanswered one stays (a re-check returns bare lines).
    if (was.approved === line.approved && was.priceKopecks === line.priceKopecks) return was.change ? { ...line, change: was.change } : line;
    const first = was.change?.before ?? { approved: was.approved, priceKopecks: was.priceKopecks };
    return { ...line, change: { ...change, reason: typeof reason === 'string' ? reason : reason(line.sku), before: first } };
  });
}

/** Lines without their change marks: once the invoice leaves "Изменен", its changes are answered. */
export function withoutChanges(lines: readonly InvoiceLine[]): InvoiceLine[] {
  return lines.map((l) => {
    if (!l.change) return l;
    const { change: _answered, ...line } = l;
    return line;
  });
}

export type AnswerResult = { ok: true; lines: InvoiceLine[]; removed: string[]; waitFor: { sku: string; quantity: number }[] } | { ok: false; reason: string };

/**
 * The customer's answer to a change, line by line: every changed line is accepted (kept as it is
 * now), removed (its reservation released), or, where the change lowered it, kept with the rest
 * waited for (`waitFor`: what to put on the waitlist). Unchanged lines stay; one must remain.
 */
export function answerChanges(lines: readonly InvoiceLine[], answers: readonly { sku: string; answer: ChangeAnswer }[]): AnswerResult {
  const bySku = new Map(answers.map((a) => [a.sku, a.answer]));
  if (bySku.size !== answers.length) return { ok: false, reason: 'Каждый артикул можно указать только один раз' };
  const changed = lines.filter((l) => l.change).map((l) => l.sku);
  const stray = answers.filter((a) => !changed.includes(a.sku)).map((a) => a.sku);
  if (stray.length) return { ok: false, reason: `Позиции ${stray.join(', ')} не изменялись: отвечать нужно только по изменённым` };
  const unanswered = changed.filter((sku) => !bySku.has(sku));
  if (unanswered.length) return { ok: false, reason: `Ответьте по каждой изменённой позиции: нет ответа по ${unanswered.join(', ')}` };
  const waitFor = lines.flatMap((l) => (bySku.get(l.sku) === 'wait' && l.change ? [{ sku: l.sku, quantity: l.change.before.approved - l.approved }] : []));
  const nothing = waitFor.filter((w) => w.quantity <= 0).map((w) => w.sku);
  if (nothing.length) return { ok: false, reason: `Позиции ${nothing.join(', ')} не уменьшены: ждать поступления нечего` };
  const removed = changed.filter((sku) => bySku.get(sku) === 'remove');
  const kept = lines.filter((l) => !removed.includes(l.sku));
  if (kept.length === 0) return { ok: false, reason: 'В счёте не осталось бы позиций: чтобы удалить счёт, отмените его' };
  return { ok: true, lines: withoutChanges(kept), removed, waitFor };
}
