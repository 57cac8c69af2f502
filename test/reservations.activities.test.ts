import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNumberActivities } from '../activities/numbers.activities.js';
import { createProjectionActivities } from '../activities/projections.activities.js';
import { createReservationActivities } from '../activities/reservations.activities.js';
import type { InvoiceState } from '../core/contracts/invoice.js';
import { createTestDb, type TestDb } from './support/db.js';
import { addCustomer, addProduct, stockOf } from './support/fixtures.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.drop());

describe('reserveInvoiceLines', () => {
  it('approves what stock allows, reports the rest, and a retry changes nothing', async () => {
    const { reserveInvoiceLines } = createReservationActivities(t);
    await addProduct(t.db, 'R1-A', { onHand: 10, priceKopecks: 14990 });
    await addProduct(t.db, 'R1-B', { onHand: 3 });
    const invoiceId = randomUUID();
    const lines = [
      { sku: 'R1-A', quantity: 4 },
      { sku: 'R1-B', quantity: 5 },
      { sku: 'NOPE', quantity: 2 },
    ];
    const first = await reserveInvoiceLines({ invoiceId, lines });
    const second = await reserveInvoiceLines({ invoiceId, lines });
    expect(second).toEqual(first);
    expect(first.map((l) => [l.sku, l.requested, l.approved, l.reason])).toEqual([
      ['R1-A', 4, 4, undefined],
      ['R1-B', 5, 3, 'out_of_stock'],
      ['NOPE', 2, 0, 'unknown_sku'],
    ]);
    expect(first[0]?.priceKopecks).toBe(14990);
    expect(await stockOf(t.db, 'R1-A')).toEqual({ onHand: 10, reserved: 4, reservationsSum: 4 });
    expect(await stockOf(t.db, 'R1-B')).toEqual({ onHand: 3, reserved: 3, reservationsSum: 3 });
  });

  it('treats lines as the desired state: lowering or dropping a line frees stock', async () => {
    const { reserveInvoiceLines, releaseInvoiceReservations } = createReservationActivities(t);
    await addProduct(t.db, 'R2-A', { onHand: 10 });
    await addProduct(t.db, 'R2-B', { onHand: 10 });
    const invoiceId = randomUUID();
    await reserveInvoiceLines({
      invoiceId,
      lines: [
        { sku: 'R2-A', quantity: 6 },
        { sku: 'R2-B', quantity: 2 },
      ],
    });
    await reserveInvoiceLines({ invoiceId, lines: [{ sku: 'R2-A', quantity: 1 }] });
    expect(await stockOf(t.db, 'R2-A')).toMatchObject({ reserved: 1, reservationsSum: 1 });
    expect(await stockOf(t.db, 'R2-B')).toMatchObject({ reserved: 0, reservationsSum: 0 });
    await releaseInvoiceReservations({ invoiceId });
    await releaseInvoiceReservations({ invoiceId });
    expect(await stockOf(t.db, 'R2-A')).toMatchObject({ reserved: 0, reservationsSum: 0 });
  });

  it('never oversells when 50 invoices compete for 10 pieces', async () => {
    const { reserveInvoiceLines } = createReservationActivities(t);
    await addProduct(t.db, 'R3-HOT', { onHand: 10 });
    await addProduct(t.db, 'R3-COLD', { onHand: 1000 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        // half of them list the SKUs in the other order, to provoke lock-order deadlocks
        reserveInvoiceLines({
          invoiceId: randomUUID(),
          lines:
            i % 2
              ? [
                  { sku: 'R3-HOT', quantity: 1 },
                  { sku: 'R3-COLD', quantity: 1 },
                ]
              : [
                  { sku: 'R3-COLD', quantity: 1 },
                  { sku: 'R3-HOT', quantity: 1 },
                ],
        }),
      ),
    );
    const approvedHot = results
      .flat()
      .filter((l) => l.sku === 'R3-HOT')
      .reduce((s, l) => s + l.approved, 0);
    expect(approvedHot).toBe(10);
    expect(await stockOf(t.db, 'R3-HOT')).toEqual({ onHand: 10, reserved: 10, reservationsSum: 10 });
    expect(await stockOf(t.db, 'R3-COLD')).toMatchObject({ reserved: 50, reservationsSum: 50 });
  });
});

describe('allocateNumber', () => {
  it('gives one number per entity and sequential numbers per year', async () => {
    const { allocateNumber } = createNumberActivities(t);
    const a = randomUUID();
    const first = await allocateNumber({ kind: 'invoice', entityId: a, year: 2031 });
    expect(await allocateNumber({ kind: 'invoice', entityId: a, year: 2031 })).toBe(first);
    const b = await allocateNumber({ kind: 'invoice', entityId: randomUUID(), year: 2031 });
    expect(first).toBe('СЧ-2031-000001');
    expect(b).toBe('СЧ-2031-000002');
    expect(await allocateNumber({ kind: 'invoice', entityId: randomUUID(), year: 2032 })).toBe('СЧ-2032-000001');
  });
});

/** A confirmed invoice at version 1 with no lines: what a projection test starts from. */
function confirmedInvoice(customerId: string): InvoiceState {
  return {
    id: randomUUID(),
    number: `СЧ-2026-${randomUUID().slice(0, 6)}`,
    customerId,
    orderId: null,
    status: 'confirmed',
    lines: [],
    version: 1,
    createdAt: new Date().toISOString(),
    confirmedAt: null,
    expiresAt: null,
    mergedInto: null,
    boxes: null,
    realization: null,
  };
}

describe('projectInvoice', () => {
  it('writes once per version and ignores a stale retry', async () => {
    const { projectInvoice } = createProjectionActivities(t);
    const customerId = await addCustomer(t.db);
    const base = confirmedInvoice(customerId);
    const event = (to: InvoiceState['status']) => ({
      at: new Date().toISOString(),
      actor: { type: 'system' as const, id: 'system' },
      action: 'x',
      fromStatus: null,
      toStatus: to,
      details: {},
    });
    await projectInvoice({ state: base, event: event('confirmed') });
    await projectInvoice({ state: { ...base, status: 'deleted', version: 2 }, event: event('deleted') });
    await projectInvoice({ state: base, event: event('confirmed') }); // late retry of v1
    await projectInvoice({ state: { ...base, status: 'deleted', version: 2 }, event: event('deleted') });
    const row = await t.db.selectFrom('invoices').select(['status', 'version']).where('id', '=', base.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'deleted', version: 2 });
    const events = await t.db.selectFrom('invoice_events').select('seq').where('invoice_id', '=', base.id).execute();
    expect(events).toHaveLength(2);
  });
});

describe('shrinkAndProjectInvoice (an edit in one step)', () => {
  it('lowers reservations and writes the edited invoice together; a retry changes nothing; a failed write keeps the stock', async () => {
    const { reserveInvoiceLines } = createReservationActivities(t);
    const { projectInvoice, shrinkAndProjectInvoice } = createProjectionActivities(t);
    await addProduct(t.db, 'S1-A', { onHand: 10 });
    await addProduct(t.db, 'S1-B', { onHand: 10 });
    const customerId = await addCustomer(t.db);
    const v1 = confirmedInvoice(customerId);
    const event = {
      at: new Date().toISOString(),
      actor: { type: 'customer' as const, id: 'c' },
      action: 'edit',
      fromStatus: 'confirmed' as const,
      toStatus: 'draft' as const,
      details: {},
    };
    await reserveInvoiceLines({
      invoiceId: v1.id,
      lines: [
        { sku: 'S1-A', quantity: 6 },
        { sku: 'S1-B', quantity: 2 },
      ],
    });
    await projectInvoice({ state: v1, event: null });

    // A write that fails (an unknown customer) rolls the shrink back with it.
    const broken = { ...v1, customerId: randomUUID(), status: 'draft' as const, version: 2 };
    await expect(shrinkAndProjectInvoice({ lines: [{ sku: 'S1-A', quantity: 1 }], state: broken, event })).rejects.toThrow();
    expect(await stockOf(t.db, 'S1-A')).toMatchObject({ reserved: 6, reservationsSum: 6 });
    expect(await stockOf(t.db, 'S1-B')).toMatchObject({ reserved: 2, reservationsSum: 2 });

    const v2 = { ...v1, status: 'draft' as const, version: 2 };
    const input = { lines: [{ sku: 'S1-A', quantity: 2 }], state: v2, event };
    await shrinkAndProjectInvoice(input);
    await shrinkAndProjectInvoice(input); // an attempt that overlapped its retry
    expect(await stockOf(t.db, 'S1-A')).toMatchObject({ reserved: 2, reservationsSum: 2 });
    expect(await stockOf(t.db, 'S1-B')).toMatchObject({ reserved: 0, reservationsSum: 0 });
    const row = await t.db.selectFrom('invoices').select(['status', 'version']).where('id', '=', v1.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'draft', version: 2 });
    expect(await t.db.selectFrom('invoice_events').select('seq').where('invoice_id', '=', v1.id).execute()).toHaveLength(1);
  });
});
