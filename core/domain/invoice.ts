import type { LineChange } from './line-changes.js';
import type { Kopecks } from './money.js';

export const INVOICE_STATUSES = [
  'checking',
  'confirmed',
  'draft',
  'changed',
  'shipment_confirmed',
  'to_warehouse',
  'assembled',
  'shipped',
  'marked_for_deletion',
  'deleted',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  checking: 'Проверяется',
  confirmed: 'Подтвержден менеджером',
  draft: 'Редактируется',
  changed: 'Изменен',
  shipment_confirmed: 'Отправлен на отгрузку',
  to_warehouse: 'На склад',
  assembled: 'Собран',
  shipped: 'Отгружен',
  marked_for_deletion: 'Помечен на удаление',
  deleted: 'Удален',
};

export const INVOICE_ACTIONS = ['edit', 'addItems', 'submit', 'answerChanges', 'ship', 'merge', 'cancel', 'requestInventory'] as const;
export type InvoiceAction = (typeof INVOICE_ACTIONS)[number];

const ACTIONS_BY_STATUS: Record<InvoiceStatus, readonly InvoiceAction[]> = {
  checking: [],
  confirmed: ['edit', 'addItems', 'ship', 'merge', 'cancel'],
  draft: ['edit', 'addItems', 'submit', 'merge', 'cancel'],
  changed: ['edit', 'addItems', 'submit', 'answerChanges', 'merge', 'cancel'],
  shipment_confirmed: ['requestInventory'],
  to_warehouse: ['requestInventory'],
  assembled: ['requestInventory'],
  shipped: ['requestInventory'],
  marked_for_deletion: [],
  deleted: [],
};

export function allowedActions(status: InvoiceStatus): InvoiceAction[] {
  return [...ACTIONS_BY_STATUS[status]];
}

/** Statuses in which the invoice waits on the customer and the expiry clock runs. */
export function waitsOnCustomer(status: InvoiceStatus): boolean {
  return status === 'confirmed' || status === 'draft' || status === 'changed';
}

/**
 * The next timer of an invoice waiting on the customer: the reminder while it is still ahead and
 * not yet sent for this expiry, else the expiry itself.
 */
export function nextExpiryTimer(
  expiresAt: string,
  remindedFor: string | null,
  reminderBeforeMs: number,
  now: number,
): { reminderDue: boolean; deadline: number } {
  const expires = Date.parse(expiresAt);
  const remindAt = expires - reminderBeforeMs;
  const reminderDue = remindedFor !== expiresAt && remindAt > now;
  return { reminderDue, deadline: reminderDue ? remindAt : expires };
}

export function isLocked(status: InvoiceStatus): boolean {
  return ['shipment_confirmed', 'to_warehouse', 'assembled', 'shipped'].includes(status);
}

export function isFinal(status: InvoiceStatus): boolean {
  return status === 'deleted';
}

/** Why a line got less than requested. */
export type RejectionReason = 'out_of_stock' | 'unknown_sku';

export interface InvoiceLine {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  requested: number;
  approved: number;
  priceKopecks: Kopecks;
  piecesPerBox: number;
  /** The manager set this price; re-checks keep it instead of the catalog price. */
  manualPrice?: boolean;
  reason?: RejectionReason;
  /** A change the customer has not answered yet (only while the invoice is "Изменен"). */
  change?: LineChange;
}

export function rejectedQuantity(line: InvoiceLine): number {
  return line.requested - line.approved;
}

export function lineTotal(line: InvoiceLine): Kopecks {
  return line.approved * line.priceKopecks;
}

export function invoiceTotal(lines: readonly InvoiceLine[]): Kopecks {
  return lines.reduce((sum, line) => sum + lineTotal(line), 0);
}

/** How much of `requested` can be approved when `available` pieces are free for this invoice. */
export function approveQuantity(requested: number, available: number): number {
  return Math.max(0, Math.min(requested, available));
}

/** Requested quantities summed by SKU, in first-seen order (a cart never repeats a SKU, merges do). */
export function sumBySku(lines: readonly { sku: string; quantity: number }[]): { sku: string; quantity: number }[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}

/** Why `action` is refused in `status`, with the code the API answers; undefined when allowed. */
export function refusal(status: InvoiceStatus, action: InvoiceAction): { code: 'invoice_locked' | 'invalid_transition'; reason: string } | undefined {
  if (allowedActions(status).includes(action)) return undefined;
  const label = STATUS_LABELS[status];
  if (isLocked(status)) return { code: 'invoice_locked', reason: `Счёт в статусе «${label}»: он отправлен на отгрузку и больше не изменяется` };
  if (action === 'ship' && (status === 'draft' || status === 'changed')) {
    return {
      code: 'invalid_transition',
      reason:
        status === 'changed'
          ? 'Счёт изменён: нажмите «Отправить счёт на подтверждение», чтобы принять изменения, затем отправьте его на отгрузку'
          : 'В счёте есть несохранённые на складе правки: сначала отправьте счёт на подтверждение, затем на отгрузку',
    };
  }
  if (action === 'submit' && status === 'confirmed') return { code: 'invalid_transition', reason: 'Счёт уже подтверждён: его можно отправить на отгрузку' };
  if (status === 'deleted') return { code: 'invalid_transition', reason: 'Счёт удалён: действия с ним недоступны' };
  if (status === 'marked_for_deletion') return { code: 'invalid_transition', reason: 'Счёт объединён с другим счётом и будет удалён' };
  if (status === 'checking') return { code: 'invalid_transition', reason: 'Счёт ещё проверяется: дождитесь окончания проверки' };
  return { code: 'invalid_transition', reason: `Действие недоступно для счёта в статусе «${label}»` };
}

export const WAREHOUSE_STATUSES = ['to_warehouse', 'assembled', 'shipped'] as const;
export type WarehouseStatus = (typeof WAREHOUSE_STATUSES)[number];

const WAREHOUSE_FROM: Record<WarehouseStatus, InvoiceStatus> = {
  to_warehouse: 'shipment_confirmed',
  assembled: 'to_warehouse',
  shipped: 'assembled',
};

/** The warehouse moves an invoice one step at a time; undefined when the step is allowed. */
export function warehouseRefusal(status: InvoiceStatus, target: WarehouseStatus): string | undefined {
  const from = WAREHOUSE_FROM[target];
  if (status === from) return undefined;
  return `Статус «${STATUS_LABELS[target]}» ставится только после «${STATUS_LABELS[from]}», а счёт в статусе «${STATUS_LABELS[status]}»`;
}

/** Statuses whose reservations a stock correction may cut, in the order it cuts them. */
export function cutPriority(status: InvoiceStatus): number | undefined {
  if (waitsOnCustomer(status)) return 0;
  if (status === 'shipment_confirmed') return 1;
  return undefined; // picked or packed goods are physically set aside: never cut
}
