// What an operator reads in the Temporal UI ("current details" of a workflow, markdown): pure,
// so the workflows only call it and the texts are unit-tested.
import { invoiceTotal, STATUS_LABELS, waitsOnCustomer, type InvoiceLine, type InvoiceStatus } from './invoice.js';
import { formatRoublesRu } from './money.js';
import { formatMoscowDateTime } from './time.js';

/** The part of an invoice's state the details show (core/contracts' InvoiceState fits it). */
export interface InvoiceSnapshot {
  number: string;
  customerId: string;
  status: InvoiceStatus;
  lines: readonly InvoiceLine[];
  version: number;
  expiresAt: string | null;
  mergedInto: string | null;
  lockedBy?: string | null;
}

/** What the invoice waits for in each status, as one Russian phrase. */
export const WAITS_FOR: Record<InvoiceStatus, string> = {
  checking: 'ждёт проверки наличия на складе',
  confirmed: 'ждёт подтверждения клиента (отправки на отгрузку)',
  draft: 'ждёт клиента: отправки счёта на подтверждение',
  changed: 'ждёт решения клиента по изменениям',
  shipment_confirmed: 'ждёт склада: передачи на сборку',
  to_warehouse: 'ждёт сборки на складе',
  assembled: 'ждёт отгрузки склада',
  shipped: 'ничего не ждёт: счёт отгружен',
  marked_for_deletion: 'ждёт конца окна отмены объединения, затем удаления',
  deleted: 'ничего не ждёт: счёт удалён',
};

/**
 * When the expiry timer deletes the invoice (ISO), or null when no timer runs: only an invoice
 * waiting on the customer expires. The DeleteAt search attribute carries this value.
 */
export function deleteAt(invoice: Pick<InvoiceSnapshot, 'status' | 'expiresAt'>): string | null {
  return waitsOnCustomer(invoice.status) && invoice.expiresAt ? invoice.expiresAt : null;
}

function deletionText(invoice: InvoiceSnapshot, reminded: boolean): string {
  if (invoice.status === 'deleted') return 'удалён';
  if (invoice.status === 'marked_for_deletion') return `после окна отмены объединения (объединён в счёт ${invoice.mergedInto ?? '—'})`;
  const at = deleteAt(invoice);
  if (!at) return 'не удаляется автоматически';
  const parts = [`${formatMoscowDateTime(Date.parse(at))}, если клиент не ответит`];
  if (reminded) parts.push('напоминание отправлено');
  // The expiry loop waits out a merge's lock, then expires at once if the date has passed.
  if (invoice.lockedBy) parts.push('пока идёт объединение, удаление откладывается');
  return parts.join('; ');
}

/** Markdown for the invoice workflow's current details. */
export function invoiceDetails(invoice: InvoiceSnapshot, extra: { reminded?: boolean; lastAction?: string } = {}): string {
  const waits = invoice.lockedBy ? `ждёт завершения объединения (счёт ${invoice.lockedBy})` : WAITS_FOR[invoice.status];
  const rows = [
    `**Счёт ${invoice.number}**: ${STATUS_LABELS[invoice.status]}`,
    '',
    `- Сейчас: ${waits}`,
    `- Удаление: ${deletionText(invoice, extra.reminded ?? false)}`,
    `- Клиент: ${invoice.customerId}`,
    `- Строк: ${invoice.lines.length}, сумма: ${formatRoublesRu(invoiceTotal(invoice.lines))}`,
    `- Версия ${invoice.version}${extra.lastAction ? `, последнее действие: ${extra.lastAction}` : ''}`,
  ];
  return rows.join('\n');
}

export type OrderProgress = 'placed' | 'checking' | 'invoiced' | 'failed';

/** Markdown for the order workflow's current details. */
export function orderDetails(order: { status: OrderProgress; lineCount: number; invoiceNumber?: string | null; error?: string | null }): string {
  const what: Record<OrderProgress, string> = {
    placed: 'принят',
    checking: `проверяет наличие и резервирует строки заказа (${order.lineCount})`,
    invoiced: `выставлен счёт ${order.invoiceNumber ?? ''}`.trimEnd(),
    failed: `не удался: ${order.error ?? 'ошибка'}; резервы сняты`,
  };
  return `**Заказ**: ${what[order.status]}`;
}

export type MergeProgress = 'merging' | 'merged' | 'failed' | 'unmerging' | 'unmerged' | 'cleaning' | 'cleaned';

/** Markdown for the merge workflow's current details. */
export function mergeDetails(merge: { phase: MergeProgress; sources: readonly string[]; cleanupAt?: number | null; failure?: string | null }): string {
  const cleanup = merge.cleanupAt ? ` в ${formatMoscowDateTime(merge.cleanupAt)}` : '';
  const what: Record<MergeProgress, string> = {
    merging: 'идёт: исходные счета заблокированы, резервы переносятся в новый счёт',
    merged: `готово; ждёт отмены клиентом или удаления исходных счетов${cleanup}`,
    failed: `не удалось (${merge.failure ?? 'ошибка'}); исходные счета возвращены`,
    unmerging: 'отменяется: резервы возвращаются исходным счетам',
    unmerged: 'отменено: исходные счета восстановлены, новый удалён',
    cleaning: 'удаляет исходные счета',
    cleaned: 'завершено: исходные счета удалены',
  };
  return [`**Объединение**: ${what[merge.phase]}`, '', `- Исходные счета: ${merge.sources.join(', ')}`].join('\n');
}

/** Markdown for a SKU's waitlist workflow: who waits, what is held for whom and until when. */
export function waitlistDetails(line: {
  sku: string;
  waiting: number;
  offers: readonly { entryId: string; held: number; holdUntil: string }[];
  nextAt: string | null;
}): string {
  const rows = [
    `**Лист ожидания ${line.sku}**`,
    '',
    `- Ждут поступления: ${line.waiting}`,
    `- Отложено: ${line.offers.length ? line.offers.map((o) => `${o.held} шт. для ${o.entryId} до ${formatMoscowDateTime(Date.parse(o.holdUntil))}`).join('; ') : 'ничего'}`,
    `- Следующая проверка: ${line.nextAt ? formatMoscowDateTime(Date.parse(line.nextAt)) : 'когда поступит товар или кто-то встанет в очередь'}`,
  ];
  return rows.join('\n');
}
