import { describe, expect, it } from 'vitest';
import { deleteAt, invoiceDetails, mergeDetails, orderDetails, WAITS_FOR, type InvoiceSnapshot, waitlistDetails } from '../core/domain/invoice-details.js';
import { INVOICE_STATUSES, type InvoiceLine } from '../core/domain/invoice.js';
import { formatMoscowDateTime } from '../core/domain/time.js';

const line = (sku: string, approved: number, priceKopecks: number): InvoiceLine => ({
  sku,
  article: sku,
  name: sku,
  characteristic: null,
  requested: approved,
  approved,
  priceKopecks,
  piecesPerBox: 10,
});

const invoice = (over: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot => ({
  number: 'СЧ-2026-000042',
  customerId: 'c-1',
  status: 'confirmed',
  lines: [line('A', 2, 150_000), line('B', 1, 99_050)],
  version: 3,
  expiresAt: '2026-03-14T09:05:00.000Z',
  mergedInto: null,
  lockedBy: null,
  ...over,
});

describe('formatMoscowDateTime', () => {
  it('shows Moscow wall time (UTC+3), also across a date change', () => {
    expect(formatMoscowDateTime(Date.parse('2026-03-14T09:05:00Z'))).toBe('14.03.2026 12:05 МСК');
    expect(formatMoscowDateTime(Date.parse('2026-12-31T22:30:00Z'))).toBe('01.01.2027 01:30 МСК');
  });
});

describe('deleteAt', () => {
  it('is the expiry date only while the invoice waits on the customer', () => {
    for (const status of ['confirmed', 'draft', 'changed'] as const) expect(deleteAt(invoice({ status }))).toBe('2026-03-14T09:05:00.000Z');
    for (const status of ['shipment_confirmed', 'shipped', 'marked_for_deletion', 'deleted', 'checking'] as const) {
      expect(deleteAt(invoice({ status })), status).toBeNull();
    }
    expect(deleteAt(invoice({ expiresAt: null }))).toBeNull();
  });
});

describe('invoiceDetails', () => {
  it('tells status, what it waits for, when it is deleted, number, customer, lines and total', () => {
    expect(invoiceDetails(invoice(), { lastAction: 'submit' })).toBe(
      [
        '**Счёт СЧ-2026-000042**: Подтвержден менеджером',
        '',
        '- Сейчас: ждёт подтверждения клиента (отправки на отгрузку)',
        '- Удаление: 14.03.2026 12:05 МСК, если клиент не ответит',
        '- Клиент: c-1',
        '- Строк: 2, сумма: 3\u00a0990,50\u00a0₽',
        '- Версия 3, последнее действие: submit',
      ].join('\n'),
    );
  });

  it('changes as the invoice moves: warehouse, merge lock, merged, deleted', () => {
    const shipped = invoiceDetails(invoice({ status: 'assembled', expiresAt: null }));
    expect(shipped).toContain('Собран');
    expect(shipped).toContain('ждёт отгрузки склада');
    expect(shipped).toContain('не удаляется автоматически');

    const locked = invoiceDetails(invoice({ lockedBy: 'new-1' }), { reminded: true });
    expect(locked).toContain('ждёт завершения объединения (счёт new-1)');
    expect(locked).toContain('напоминание отправлено; пока идёт объединение, удаление откладывается');

    const merged = invoiceDetails(invoice({ status: 'marked_for_deletion', mergedInto: 'new-1' }));
    expect(merged).toContain('Помечен на удаление');
    expect(merged).toContain('после окна отмены объединения (объединён в счёт new-1)');
    expect(merged).not.toContain('МСК');

    expect(invoiceDetails(invoice({ status: 'deleted', expiresAt: null }))).toContain('- Удаление: удалён');
  });

  it('has a phrase for every status', () => {
    for (const status of INVOICE_STATUSES) expect(WAITS_FOR[status], status).toMatch(/^(ждёт|ничего)/);
  });
});

describe('order and merge details', () => {
  it('say where the order and the merge are', () => {
    expect(orderDetails({ status: 'checking', lineCount: 3 })).toBe('**Заказ**: проверяет наличие и резервирует строки заказа (3)');
    expect(orderDetails({ status: 'invoiced', lineCount: 3, invoiceNumber: 'СЧ-2026-000001' })).toContain('выставлен счёт СЧ-2026-000001');
    expect(orderDetails({ status: 'failed', lineCount: 3, error: 'boom' })).toContain('не удался: boom');
    const merged = mergeDetails({ phase: 'merged', sources: ['a', 'b'], cleanupAt: Date.parse('2026-03-14T09:05:00Z') });
    expect(merged).toContain('ждёт отмены клиентом или удаления исходных счетов в 14.03.2026 12:05 МСК');
    expect(merged).toContain('- Исходные счета: a, b');
    expect(mergeDetails({ phase: 'failed', sources: ['a'], failure: 'счёт занят' })).toContain('не удалось (счёт занят)');
  });
});

describe('waitlist details', () => {
  it('names who waits, what is held for whom until when, and the next look', () => {
    const text = waitlistDetails({
      sku: 'КЛ-1',
      waiting: 2,
      offers: [{ entryId: 'e-1', held: 3, holdUntil: '2026-12-01T09:00:00.000Z' }],
      nextAt: '2026-12-01T09:00:00.000Z',
    });
    expect(text).toContain('**Лист ожидания КЛ-1**');
    expect(text).toContain('Ждут поступления: 2');
    expect(text).toContain('3 шт. для e-1 до 01.12.2026 12:00 МСК');
    expect(waitlistDetails({ sku: 'КЛ-1', waiting: 0, offers: [], nextAt: null })).toContain('Отложено: ничего');
  });
});
