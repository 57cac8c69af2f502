// The invoice history's words (cabinet/pages/invoice-history.tsx): each stored action's details as
// a sentence, and which entries explain a «Изменен» invoice. Pure functions: no stack needed.
import { describe, expect, it } from 'vitest';
import { detailLines, pendingChanges, type HistoryEntry } from '../cabinet/pages/invoice-history.js';

const entry = (action: string, toStatus: string, details: HistoryEntry['details'] = {}, fromStatus: string | null = 'confirmed'): HistoryEntry => ({
  at: '2026-11-30T11:00:00.000Z',
  actor: { type: 'system', id: 'system' },
  action,
  fromStatus,
  toStatus,
  details,
});

describe('invoice history in words', () => {
  it('says what an edit, a stock cut and a manager change did, line by line', () => {
    expect(
      detailLines(
        entry('edit', 'draft', {
          lines: [
            { sku: 'A-1', quantity: 3 },
            { sku: 'B-2', quantity: 0 },
          ],
        }),
      ),
    ).toEqual(['A-1: 3 шт.', 'B-2: позиция удалена']);
    expect(detailLines(entry('stock_cut', 'changed', { correctionId: 'x', cut: [{ sku: 'A-1', from: 10, to: 4 }] }))).toEqual([
      'A-1: подтверждено 4 шт. вместо 10',
    ]);
    expect(
      detailLines(
        entry('manager_adjust', 'changed', {
          comment: 'Нет в нужном цвете',
          lines: [
            { sku: 'A-1', quantity: 2 },
            { sku: 'B-2', price: '99.50' },
          ],
        }),
      ),
    ).toEqual(['Комментарий менеджера: «Нет в нужном цвете»', 'A-1: 2 шт.', 'B-2: цена 99,50\u00a0₽']);
    expect(detailLines(entry('merge_create', 'draft', { mergedFrom: ['СЧ-2026-000001', 'СЧ-2026-000002'] }, null))).toEqual([
      'Из счетов: СЧ-2026-000001, СЧ-2026-000002',
    ]);
  });

  it('says how the customer answered a change, line by line', () => {
    const answers = [
      { sku: 'A-1', answer: 'accept' },
      { sku: 'B-2', answer: 'remove' },
    ];
    expect(detailLines(entry('answer_changes', 'confirmed', { answers, removed: ['B-2'] }, 'changed'))).toEqual([
      'A-1: оставлена как изменено',
      'B-2: убрана из счёта',
    ]);
  });

  it('shows an unknown action’s details as they are rather than hiding them', () => {
    expect(detailLines(entry('something_new', 'draft', { note: 'текст', n: { a: 1 } }))).toEqual(['note: текст', 'n: {"a":1}']);
  });

  it('explains «Изменен» by the changes since the customer last confirmed', () => {
    const history = [
      entry('create', 'confirmed', {}, null),
      entry('manager_adjust', 'changed', { comment: 'старое' }),
      entry('accept_changes', 'confirmed', {}, 'changed'),
      entry('stock_cut', 'changed', { cut: [] }),
      entry('manager_adjust', 'changed', { comment: 'новое' }, 'changed'),
    ];
    expect(pendingChanges(history).map((e) => e.details.comment ?? e.action)).toEqual(['stock_cut', 'новое']);
    expect(pendingChanges(history.slice(0, 3))).toEqual([]);
  });
});
