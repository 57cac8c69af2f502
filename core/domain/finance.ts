import type { Kopecks } from './money.js';

/**
 * Receivables and mutual settlements from realizations (the customer owes) and payments (the
 * customer paid). Balance > 0: the customer owes the supplier; < 0: the customer paid in advance.
 * Payments settle realizations oldest first (FIFO), as accounting does without an explicit
 * allocation. Pure: dates are Moscow calendar days ("2026-11-27").
 */

export interface Debit {
  id: string;
  number: string;
  date: string;
  amount: Kopecks;
}

export interface Credit {
  id: string;
  date: string;
  amount: Kopecks;
  reference: string;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const byDate = <T extends { date: string }>(a: T, b: T) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

export interface OpenItem {
  id: string;
  number: string;
  date: string;
  dueDate: string;
  amount: Kopecks;
  paid: Kopecks;
  remaining: Kopecks;
  /** Days past the due date; 0 when not yet due. */
  overdueDays: number;
}

export interface Receivables {
  items: OpenItem[];
  total: Kopecks;
  overdue: Kopecks;
  notDue: Kopecks;
  /** Paid beyond every realization so far. */
  advance: Kopecks;
}

/** What is still owed today, realization by realization, with due and overdue amounts. */
export function receivables(debits: readonly Debit[], credits: readonly Credit[], today: string, paymentTermDays: number): Receivables {
  let pool = credits.filter((c) => c.date <= today).reduce((sum, c) => sum + c.amount, 0);
  const items: OpenItem[] = [];
  for (const d of [...debits].filter((x) => x.date <= today).sort(byDate)) {
    const paid = Math.min(pool, d.amount);
    pool -= paid;
    const remaining = d.amount - paid;
    if (remaining <= 0) continue;
    const dueDate = addDays(d.date, paymentTermDays);
    items.push({ id: d.id, number: d.number, date: d.date, dueDate, amount: d.amount, paid, remaining, overdueDays: Math.max(0, daysBetween(dueDate, today)) });
  }
  const total = items.reduce((s, i) => s + i.remaining, 0);
  const overdue = items.filter((i) => i.overdueDays > 0).reduce((s, i) => s + i.remaining, 0);
  return { items, total, overdue, notDue: total - overdue, advance: pool };
}

export interface SettlementEntry {
  date: string;
  kind: 'realization' | 'payment';
  document: string;
  debit: Kopecks;
  credit: Kopecks;
}

export interface Settlements {
  from: string;
  to: string;
  opening: Kopecks;
  entries: SettlementEntry[];
  debitTurnover: Kopecks;
  creditTurnover: Kopecks;
  closing: Kopecks;
}

/** A reconciliation act ("акт сверки") for [from, to]: opening balance, movements, closing balance. */
export function settlements(debits: readonly Debit[], credits: readonly Credit[], from: string, to: string): Settlements {
  let opening = 0;
  const entries: SettlementEntry[] = [];
  for (const d of debits) {
    if (d.date < from) opening += d.amount;
    else if (d.date <= to) entries.push({ date: d.date, kind: 'realization', document: `Реализация ${d.number}`, debit: d.amount, credit: 0 });
  }
  for (const c of credits) {
    if (c.date < from) opening -= c.amount;
    else if (c.date <= to) entries.push({ date: c.date, kind: 'payment', document: `Оплата ${c.reference}`, debit: 0, credit: c.amount });
  }
  // Same day: the shipment first, then the payment, as a reader expects.
  entries.sort((a, b) => byDate(a, b) || (a.kind === b.kind ? a.document.localeCompare(b.document) : a.kind === 'realization' ? -1 : 1));
  const debitTurnover = entries.reduce((s, e) => s + e.debit, 0);
  const creditTurnover = entries.reduce((s, e) => s + e.credit, 0);
  return { from, to, opening, entries, debitTurnover, creditTurnover, closing: opening + debitTurnover - creditTurnover };
}
