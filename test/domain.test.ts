import { describe, expect, it } from 'vitest';
import { allowedActions, approveQuantity, invoiceTotal, isLocked, sumBySku, waitsOnCustomer, type InvoiceLine } from '../core/domain/invoice.js';
import { formatRoubles, formatRoublesRu, parseRoubles, vatIncluded } from '../core/domain/money.js';
import { formatDocumentNumber } from '../core/domain/numbering.js';
import { moscowYear } from '../core/domain/time.js';

const line = (requested: number, approved: number, priceKopecks: number): InvoiceLine => ({
  sku: 'X',
  article: 'X',
  name: 'X',
  characteristic: null,
  requested,
  approved,
  priceKopecks,
  piecesPerBox: 10,
});

describe('money', () => {
  it('parses rouble strings to exact kopecks and refuses anything else', () => {
    expect(parseRoubles('149.90')).toBe(14990);
    expect(parseRoubles('149.9')).toBe(14990);
    expect(parseRoubles('0.01')).toBe(1);
    expect(parseRoubles('12490')).toBe(1249000);
    for (const bad of ['-1', '1.999', 'abc', '', '01.00', '1e3']) expect(parseRoubles(bad)).toBeUndefined();
  });
  it('formats kopecks with two fraction digits, with no float drift', () => {
    expect(formatRoubles(1249000)).toBe('12490.00');
    expect(formatRoubles(5)).toBe('0.05');
    // 0.1 + 0.2 style sums stay exact in kopecks
    expect(formatRoubles(10 + 20)).toBe('0.30');
    expect(formatRoublesRu(1249050)).toBe('12\u00a0490,50\u00a0₽');
  });
  it('computes VAT included in a price at 22%, rounded half up', () => {
    expect(vatIncluded(12200)).toBe(2200);
    expect(vatIncluded(14990)).toBe(2703); // 14990 * 22 / 122 = 2703.11
    expect(vatIncluded(61)).toBe(11); // 11.0
    expect(vatIncluded(0)).toBe(0);
  });
});

describe('invoice rules', () => {
  it('approves no more than requested nor available', () => {
    expect(approveQuantity(10, 4)).toBe(4);
    expect(approveQuantity(3, 40)).toBe(3);
    expect(approveQuantity(5, -2)).toBe(0);
  });
  it('totals only approved quantities', () => {
    expect(invoiceTotal([line(10, 4, 14990), line(2, 2, 100)])).toBe(4 * 14990 + 200);
  });
  it('offers each status exactly its actions', () => {
    expect(allowedActions('confirmed')).toEqual(['edit', 'addItems', 'ship', 'merge', 'cancel']);
    expect(allowedActions('draft')).toContain('submit');
    expect(allowedActions('draft')).not.toContain('ship');
    expect(allowedActions('changed')).not.toContain('ship');
    expect(allowedActions('shipped')).toEqual(['requestInventory']);
    expect(allowedActions('deleted')).toEqual([]);
    expect(allowedActions('marked_for_deletion')).toEqual([]);
    expect(waitsOnCustomer('changed')).toBe(true);
    expect(waitsOnCustomer('shipment_confirmed')).toBe(false);
    expect(isLocked('assembled')).toBe(true);
    expect(isLocked('draft')).toBe(false);
  });
  it('sums quantities by SKU', () => {
    expect(
      sumBySku([
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 2 },
        { sku: 'A', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 2 },
    ]);
  });
});

describe('numbers and dates', () => {
  it('formats sequential numbers per year', () => {
    expect(formatDocumentNumber('invoice', 2026, 123)).toBe('СЧ-2026-000123');
    expect(formatDocumentNumber('realization', 2027, 7)).toBe('РЛ-2027-000007');
  });
  it('takes the year in Moscow time', () => {
    expect(moscowYear(Date.parse('2026-12-31T21:30:00Z'))).toBe(2027);
    expect(moscowYear(Date.parse('2026-12-31T20:59:00Z'))).toBe(2026);
  });
});
