/** @jsxImportSource hono/jsx */
import type { ResponseData } from '../../client/index.js';
import { STATUS_LABELS } from '../../core/domain/invoice.js';
import { moscowTime, rub } from '../layout.js';
import type { CabinetClient } from '../session.js';

const ANSWER_WORDS: Record<string, string> = {
  remove: 'убрана из счёта',
  wait: 'оставлена, остальное — в листе ожидания',
  accept: 'оставлена как изменено',
};
/**
 * The invoice's audit trail (GET /v1/invoices/{id}/history) in words: who did what, the status
 * before and after, and each action's details as a sentence rather than the stored JSON. Also the
 * explanation of a «Изменен» invoice whose lines carry no change marks: the latest entries that changed it.
 */

export type HistoryEntry = ResponseData<CabinetClient['api']['v1']['invoices'][':id']['history']['$get']>[number];

const ACTIONS: Record<string, string> = {
  create: 'Счёт выставлен по заказу',
  edit: 'Изменены количества',
  submit: 'Отправлен на подтверждение',
  accept_changes: 'Изменения приняты',
  answer_changes: 'Ответ по изменённым позициям',
  add_items: 'Добавлены товары',
  ship: 'Отправлен на отгрузку',
  cancel: 'Отменён клиентом',
  expire: 'Удалён по сроку',
  stock_cut: 'Уменьшен остаток на складе',
  manager_adjust: 'Изменён менеджером',
  to_warehouse: 'Передан на склад',
  assembled: 'Собран',
  shipped: 'Отгружен',
  merged: 'Объединён в другой счёт',
  unmerged: 'Объединение отменено, счёт восстановлен',
  merge_create: 'Создан объединением счетов',
  merge_cleanup: 'Удалён после объединения',
  unmerge: 'Объединение отменено, счёт удалён',
};

const ACTORS: Record<string, string> = { customer: 'Клиент', manager: 'Менеджер', warehouse: 'Склад', admin: 'Администратор', system: 'Система' };

/** Actions that make an invoice «Изменен» without the customer. */
const CHANGES = new Set(['stock_cut', 'manager_adjust']);

// The history's statuses are plain strings in the contract: an unknown one is shown as it is.
const LABELS: Partial<Record<string, string>> = STATUS_LABELS;
const statusLabel = (status: string | null) => (status ? (LABELS[status] ?? status) : '—');

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
const records = (value: unknown) => (Array.isArray(value) ? value.map(record) : []);
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** "SKU → 5 шт." lines of an edit or an addition; 0 removes the line. */
function quantities(lines: unknown, removed = 'позиция удалена'): string[] {
  return records(lines).map((l) => `${text(l.sku)}: ${l.quantity === 0 ? removed : `${text(l.quantity)} шт.`}`);
}

/** The details of one entry as readable lines; unknown keys are shown as they are, never hidden. */
export function detailLines(entry: Pick<HistoryEntry, 'action' | 'details'>): string[] {
  const d = entry.details;
  switch (entry.action) {
    case 'edit':
      return quantities(d.lines);
    case 'add_items':
      return quantities(d.added);
    case 'stock_cut':
      return records(d.cut).map((c) => `${text(c.sku)}: подтверждено ${text(c.to)} шт. вместо ${text(c.from)}`);
    case 'manager_adjust':
      return [
        ...(typeof d.comment === 'string' ? [`Комментарий менеджера: «${d.comment}»`] : []),
        ...records(d.lines).map((l) =>
          [text(l.sku), l.quantity !== undefined ? `${text(l.quantity)} шт.` : '', typeof l.price === 'string' ? `цена ${rub(l.price)}` : '']
            .filter(Boolean)
            .join(': '),
        ),
      ];
    case 'answer_changes':
      return records(d.answers).map((a) => `${text(a.sku)}: ${ANSWER_WORDS[text(a.answer)] ?? 'оставлена как изменено'}`);
    case 'merge_create':
      return Array.isArray(d.mergedFrom) ? [`Из счетов: ${d.mergedFrom.map(text).join(', ')}`] : [];
    case 'shipped':
      return typeof d.realization === 'string' ? [`Реализация ${d.realization}`] : [];
    case 'create':
    case 'merged':
    case 'unmerged':
    case 'merge_cleanup':
    case 'unmerge':
    case 'assembled':
      // Ids and boxes: the page shows the links and lines themselves.
      return [];
    default:
      return Object.entries(d).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
}

/** For a «Изменен» invoice: the entries since the customer last confirmed that changed it. */
export function pendingChanges(history: readonly HistoryEntry[]): HistoryEntry[] {
  const found: HistoryEntry[] = [];
  for (const entry of [...history].reverse()) {
    if (CHANGES.has(entry.action)) found.unshift(entry);
    else if (entry.toStatus !== 'changed') break;
  }
  return found;
}

/** The entries that changed a «Изменен» invoice, for when its lines carry no change of their own. */
export function PendingChanges({ changes }: { changes: HistoryEntry[] }) {
  if (changes.length === 0) return null;
  return (
    <ul>
      {changes.map((entry) => (
        <li>
          {moscowTime(entry.at)}: {ACTIONS[entry.action] ?? entry.action}
          {detailLines(entry).length > 0 && (
            <ul>
              {detailLines(entry).map((line) => (
                <li>{line}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

export function History({ history }: { history: HistoryEntry[] }) {
  if (history.length === 0) return null;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">История счёта</h2>
      <div class="scroll">
        <table class="log history">
          <caption class="sr-only">История счёта: когда, кто, что сделал, статус до и после</caption>
          <thead>
            <tr>
              <th scope="col">Когда (МСК)</th>
              <th scope="col">Кто</th>
              <th scope="col">Что</th>
              <th scope="col">Статус</th>
            </tr>
          </thead>
          <tbody>
            {history.map((entry) => (
              <tr>
                <td class="when">{moscowTime(entry.at)}</td>
                <td>
                  {ACTORS[entry.actor.type] ?? entry.actor.type}
                  {entry.actor.type !== 'system' && <div class="muted">{entry.actor.id}</div>}
                </td>
                <td>
                  {ACTIONS[entry.action] ?? entry.action}
                  {detailLines(entry).map((line) => (
                    <div class="muted">{line}</div>
                  ))}
                </td>
                <td>
                  {entry.fromStatus ? `${statusLabel(entry.fromStatus)} → ` : ''}
                  {statusLabel(entry.toStatus)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
