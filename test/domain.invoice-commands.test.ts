import { describe, expect, it } from 'vitest';
import {
  adjustmentRefusal,
  customerActionRefusal,
  mergeStepRefusal,
  nothingToShipRefusal,
  warehouseStepRefusal,
  type InvoiceFacts,
  type InvoiceMergeStep,
} from '../core/domain/invoice-commands.js';
import { nextExpiryTimer, type InvoiceLine } from '../core/domain/invoice.js';
import { MAX_INVOICE_LINES, MAX_LINE_QUANTITY } from '../core/domain/limits.js';
import { answerChanges, markChanged } from '../core/domain/line-changes.js';
import { addingRefusal, adjustmentTargets, applyAdjustment, cutReason } from '../core/domain/lines.js';

const line = (sku: string, requested: number, approved: number, extra: Partial<InvoiceLine> = {}): InvoiceLine => ({
  sku,
  article: sku,
  name: sku,
  characteristic: null,
  requested,
  approved,
  priceKopecks: 1000,
  piecesPerBox: 5,
  ...extra,
});

const invoice = (facts: Partial<InvoiceFacts> = {}): InvoiceFacts => ({
  id: 'inv-1',
  number: 'СЧ-2026-000001',
  customerId: 'c-1',
  status: 'confirmed',
  version: 3,
  lines: [line('A', 10, 10), line('B', 4, 2)],
  lockedBy: null,
  mergedInto: null,
  ...facts,
});

describe('customer commands', () => {
  it('refuses an old version first, then a merge in progress, then the status', () => {
    const merging = invoice({ status: 'shipped', lockedBy: 'm-1' });
    expect(customerActionRefusal(merging, 2, 'edit')?.code).toBe('version_conflict');
    expect(customerActionRefusal(merging, 2, 'edit')?.reason).toContain('версия 3, а не 2');
    expect(customerActionRefusal(merging, 3, 'edit')?.reason).toMatch(/объединяется/);
    expect(customerActionRefusal(merging, undefined, 'edit')?.code).toBe('invalid_transition');
    expect(customerActionRefusal(invoice({ status: 'shipped' }), undefined, 'edit')?.code).toBe('invoice_locked');
  });
  it('accepts what the status allows, at the current version or none', () => {
    expect(customerActionRefusal(invoice(), 3, 'ship')).toBeUndefined();
    expect(customerActionRefusal(invoice(), undefined, 'cancel')).toBeUndefined();
    expect(customerActionRefusal(invoice({ status: 'draft' }), undefined, 'ship')?.code).toBe('invalid_transition');
  });
  it('adds items only while the sum stays within the invoice bounds (lines, pieces per line)', () => {
    const full = Array.from({ length: MAX_INVOICE_LINES }, (_, i) => line(`S${i}`, 1, 1));
    expect(addingRefusal(full, [{ sku: 'S0', quantity: 5 }])).toBeUndefined(); // an existing SKU sums up
    expect(addingRefusal(full, [{ sku: 'NEW', quantity: 1 }])).toContain(`${MAX_INVOICE_LINES + 1} позиций`);
    expect(addingRefusal([line('A', MAX_LINE_QUANTITY - 1, 0)], [{ sku: 'A', quantity: 1 }])).toBeUndefined();
    expect(addingRefusal([line('A', MAX_LINE_QUANTITY, 0)], [{ sku: 'A', quantity: 1 }])).toContain('Позиция A');
  });
  it('ships only an invoice with an approved line', () => {
    expect(nothingToShipRefusal(invoice())).toBeUndefined();
    expect(nothingToShipRefusal(invoice({ lines: [line('A', 5, 0)] }))).toEqual({
      code: 'invalid_transition',
      reason: 'В счёте нет подтверждённых позиций: отгружать нечего',
    });
  });
});

describe('changes answered line by line', () => {
  const by = { by: 'manager' as const, actorId: 'm', reason: 'r', at: '2026-11-30T10:00:00Z' };
  it('marks only altered lines, keeps the first before and earlier marks', () => {
    const once = markChanged([line('A', 10, 10), line('B', 4, 4)], [line('A', 10, 7), line('B', 4, 4)], by);
    expect(once.map((l) => l.change?.before)).toEqual([{ approved: 10, priceKopecks: 1000 }, undefined]);
    const twice = markChanged(once, [line('A', 10, 5), line('B', 4, 4, { priceKopecks: 900 })], { ...by, reason: 'r2' });
    expect(twice.map((l) => [l.change?.before.approved, l.change?.reason])).toEqual([
      [10, 'r2'],
      [4, 'r2'],
    ]);
    expect(markChanged(twice, [line('A', 10, 5), line('B', 4, 4, { priceKopecks: 900 })], by)[0]?.change?.reason).toBe('r2');
  });
  it('gives each line its own reason when the reason depends on the line (a cut of several SKUs)', () => {
    const cut = markChanged([line('A', 5, 5), line('B', 5, 5)], [line('A', 5, 1), line('B', 5, 2)], { ...by, by: 'stock', reason: (sku) => `cut ${sku}` });
    expect(cut.map((l) => l.change?.reason)).toEqual(['cut A', 'cut B']);
  });
  it('takes one answer per changed line, removes the removed, clears the marks', () => {
    const lines = markChanged([line('A', 10, 10), line('B', 4, 4), line('C', 1, 1)], [line('A', 10, 7), line('B', 4, 2), line('C', 1, 1)], by);
    expect(answerChanges(lines, [{ sku: 'A', answer: 'accept' }])).toEqual({ ok: false, reason: expect.stringContaining('нет ответа по B') });
    expect(
      answerChanges(lines, [
        { sku: 'A', answer: 'accept' },
        { sku: 'A', answer: 'remove' },
      ]).ok,
    ).toBe(false);
    const ok = answerChanges(lines, [
      { sku: 'A', answer: 'accept' },
      { sku: 'B', answer: 'remove' },
    ]);
    expect(ok).toEqual({ ok: true, removed: ['B'], waitFor: [], lines: [line('A', 10, 7), line('C', 1, 1)] });
    const waiting = answerChanges(lines, [
      { sku: 'A', answer: 'wait' },
      { sku: 'B', answer: 'accept' },
    ]);
    expect(waiting).toMatchObject({ ok: true, removed: [], waitFor: [{ sku: 'A', quantity: 3 }] });
  });
});

describe("manager's adjustment", () => {
  it('is refused for locked, non-waiting, merging or stale invoices and unknown lines', () => {
    const cmd = { lines: [{ sku: 'A', quantity: 3 }] };
    expect(adjustmentRefusal(invoice(), cmd)).toBeUndefined();
    expect(adjustmentRefusal(invoice({ status: 'to_warehouse' }), cmd)?.code).toBe('invoice_locked');
    expect(adjustmentRefusal(invoice({ status: 'checking' }), cmd)).toEqual({
      code: 'invalid_transition',
      reason: 'Менять можно только счёт, ожидающий клиента',
    });
    expect(adjustmentRefusal(invoice({ lockedBy: 'm-1', status: 'to_warehouse' }), cmd)?.code).toBe('invalid_transition');
    expect(adjustmentRefusal(invoice({ status: 'to_warehouse' }), { ...cmd, expectedVersion: 1 })?.code).toBe('version_conflict');
    expect(adjustmentRefusal(invoice(), { lines: [{ sku: 'A' }, { sku: 'X' }, { sku: 'Y' }] })).toEqual({
      code: 'validation_failed',
      reason: 'В счёте нет позиций X, Y',
    });
  });
  it('reserves the new quantity where given and the approved one elsewhere', () => {
    expect(
      adjustmentTargets(
        [line('A', 10, 6), line('B', 4, 2)],
        [
          { sku: 'B', quantity: 7 },
          { sku: 'A', priceKopecks: 5 },
        ],
      ),
    ).toEqual([
      { sku: 'A', quantity: 6 },
      { sku: 'B', quantity: 7 },
    ]);
  });
  it('makes a new quantity the requested one and a new price a manual price', () => {
    const before = [line('A', 10, 10), line('B', 4, 2), line('C', 6, 6)];
    // The stock check approved less of B than the manager asked for.
    const checked = [line('A', 10, 10), line('B', 7, 5), line('C', 6, 6)];
    const after = applyAdjustment(before, checked, [
      { sku: 'B', quantity: 7 },
      { sku: 'C', priceKopecks: 1500 },
    ]);
    expect(after.map((l) => [l.sku, l.requested, l.approved, l.priceKopecks, l.manualPrice])).toEqual([
      ['A', 10, 10, 1000, undefined],
      ['B', 7, 5, 1000, undefined],
      ['C', 6, 6, 1500, true],
    ]);
  });
  it("keeps the customer's requested quantity where the manager changed only the price", () => {
    const before = [line('A', 10, 4)];
    const checked = [line('A', 4, 4)]; // checked against the approved quantity
    expect(applyAdjustment(before, checked, [{ sku: 'A', priceKopecks: 900 }])[0]).toMatchObject({
      requested: 10,
      approved: 4,
      priceKopecks: 900,
      manualPrice: true,
    });
  });
});

describe('warehouse steps', () => {
  const shipping = invoice({ status: 'shipment_confirmed' });
  it('moves one status at a time', () => {
    expect(warehouseStepRefusal(shipping, { status: 'to_warehouse' })).toBeUndefined();
    expect(warehouseStepRefusal(shipping, { status: 'assembled' })?.code).toBe('invalid_transition');
    expect(warehouseStepRefusal(invoice({ status: 'assembled' }), { status: 'shipped' })).toBeUndefined();
  });
  it('checks the version and the merge lock before the step', () => {
    expect(warehouseStepRefusal(invoice({ status: 'confirmed' }), { status: 'assembled', expectedVersion: 9 })?.code).toBe('version_conflict');
    expect(warehouseStepRefusal(invoice({ status: 'confirmed', lockedBy: 'm-1' }), { status: 'assembled' })?.reason).toMatch(/объединяется/);
  });
  it('takes boxes only with assembled, and only boxes that pack every approved piece', () => {
    const toWarehouse = invoice({ status: 'to_warehouse' });
    const boxes = [
      { number: 1, lines: [{ sku: 'A', quantity: 10 }] },
      { number: 2, lines: [{ sku: 'B', quantity: 2 }] },
    ];
    expect(warehouseStepRefusal(toWarehouse, { status: 'assembled', boxes })).toBeUndefined();
    expect(warehouseStepRefusal(shipping, { status: 'to_warehouse', boxes })).toEqual({
      code: 'validation_failed',
      reason: 'Короба передаются только со статусом «Собран»',
    });
    const short = warehouseStepRefusal(toWarehouse, { status: 'assembled', boxes: boxes.slice(0, 1) });
    expect(short?.code).toBe('validation_failed');
    expect(short?.reason).toMatch(/^B: 2 шт\. не упакованы/);
  });
});

describe('merge steps', () => {
  const step = (s: InvoiceMergeStep, extra: { expectedVersion?: number } = {}) => ({ mergeId: 'm-1', step: s, customerId: 'c-1', ...extra });

  it("answers not_found to another company's merge, whatever the step", () => {
    expect(mergeStepRefusal(invoice(), { ...step('release'), customerId: 'c-2' })).toEqual({ code: 'not_found', reason: 'Счёт не найден' });
  });
  it('locks a mergeable invoice once, accepts its own retried lock and refuses a second merge', () => {
    expect(mergeStepRefusal(invoice(), step('lock'))).toBeUndefined();
    // A retry after the lock went through: not refused, even with the version it saw before.
    expect(mergeStepRefusal(invoice({ lockedBy: 'm-1', version: 9 }), step('lock', { expectedVersion: 3 }))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ lockedBy: 'm-2' }), step('lock'))?.reason).toBe('Счёт СЧ-2026-000001 уже объединяется с другими счетами');
    expect(mergeStepRefusal(invoice({ lockedBy: 'm-2' }), step('lock', { expectedVersion: 1 }))?.code).toBe('version_conflict');
  });
  it("names the invoice in a status refusal of a lock, keeping the status rule's code", () => {
    expect(mergeStepRefusal(invoice({ status: 'assembled' }), step('lock'))).toMatchObject({
      code: 'invoice_locked',
      reason: expect.stringMatching(/^Счёт СЧ-2026-000001: /),
    });
    expect(mergeStepRefusal(invoice({ status: 'deleted' }), step('lock'))?.code).toBe('invalid_transition');
  });
  it('locks for an undo only an untouched draft', () => {
    expect(mergeStepRefusal(invoice({ status: 'draft', version: 1 }), step('lockForUnmerge'))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ status: 'draft', version: 2 }), step('lockForUnmerge'))?.code).toBe('invalid_transition');
    expect(mergeStepRefusal(invoice({ status: 'confirmed', version: 1 }), step('lockForUnmerge'))?.code).toBe('invalid_transition');
  });
  it('always accepts a release', () => {
    expect(mergeStepRefusal(invoice({ lockedBy: 'm-2', status: 'deleted' }), step('release'))).toBeUndefined();
  });
  it('marks only an invoice this merge locked or already marked', () => {
    expect(mergeStepRefusal(invoice({ lockedBy: 'm-1' }), step('mark'))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ status: 'marked_for_deletion', mergedInto: 'm-1' }), step('mark'))).toBeUndefined();
    expect(mergeStepRefusal(invoice(), step('mark'))).toEqual({ code: 'invalid_transition', reason: 'Счёт СЧ-2026-000001 не заблокирован этим объединением' });
    expect(mergeStepRefusal(invoice({ status: 'deleted' }), step('mark'))?.code).toBe('invalid_transition');
  });
  it('discards its own new invoice locked or not, and accepts a discard of a deleted one', () => {
    expect(mergeStepRefusal(invoice({ id: 'm-1' }), step('discard'))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ status: 'deleted' }), step('discard'))).toBeUndefined();
    expect(mergeStepRefusal(invoice(), step('discard'))?.code).toBe('invalid_transition');
  });
  it('restores or cleans up only what this merge merged or holds; cleanup of a deleted invoice is accepted', () => {
    expect(mergeStepRefusal(invoice({ mergedInto: 'm-1' }), step('restore'))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ lockedBy: 'm-1' }), step('restore'))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ mergedInto: 'm-2' }), step('restore'))).toEqual({
      code: 'invalid_transition',
      reason: 'Счёт СЧ-2026-000001 не был объединён этим объединением',
    });
    expect(mergeStepRefusal(invoice({ status: 'deleted' }), step('cleanup'))).toBeUndefined();
    expect(mergeStepRefusal(invoice({ status: 'deleted' }), step('restore'))?.code).toBe('invalid_transition');
  });
});

describe('stock cuts and expiry timers', () => {
  it('tells the customer what each cut line keeps', () => {
    expect(
      cutReason([
        { sku: 'A', from: 10, to: 4 },
        { sku: 'B', from: 2, to: 0 },
      ]),
    ).toBe('A: подтверждено 4 шт. вместо 10 (остаток на складе уменьшился); B: подтверждено 0 шт. вместо 2 (остаток на складе уменьшился)');
  });
  it('arms the reminder first, then the expiry', () => {
    const expiresAt = '2026-03-10T12:00:00.000Z';
    const expires = Date.parse(expiresAt);
    const hour = 3_600_000;
    expect(nextExpiryTimer(expiresAt, null, hour, expires - 2 * hour)).toEqual({ reminderDue: true, deadline: expires - hour });
    // Already reminded for this expiry date, or the reminder time has passed: straight to the expiry.
    expect(nextExpiryTimer(expiresAt, expiresAt, hour, expires - 2 * hour)).toEqual({ reminderDue: false, deadline: expires });
    expect(nextExpiryTimer(expiresAt, null, hour, expires - hour)).toEqual({ reminderDue: false, deadline: expires });
    // A reminder sent for an earlier expiry date does not count for a new one.
    expect(nextExpiryTimer(expiresAt, '2026-03-09T12:00:00.000Z', hour, expires - 2 * hour).reminderDue).toBe(true);
  });
});
