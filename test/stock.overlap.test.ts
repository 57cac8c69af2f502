import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMergeActivities } from '../activities/merges.activities.js';
import { createNumberActivities } from '../activities/numbers.activities.js';
import { createProjectionActivities } from '../activities/projections.activities.js';
import { createReservationActivities } from '../activities/reservations.activities.js';
import { createShipmentActivities } from '../activities/shipments.activities.js';
import type { Client } from '@temporalio/client';
import { createTestDb, type TestDb } from './support/db.js';
import { addCustomer, addProduct, stockOf } from './support/fixtures.js';
import { stockViolations } from './support/invariants.js';

/**
 * F2: two attempts of each stock activity running at the same time with the same input (a slow
 * attempt that outlived its timeout, and Temporal's retry). A third connection holds the SKU's
 * stock row while both start, so both are inside their transactions before either can decide:
 * the overlap is certain, not left to timing.
 */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.drop());

/** Holds `sku`'s stock row locked until the returned function is called. */
async function holdStockRow(sku: string): Promise<() => Promise<void>> {
  const blocker = new pg.Client({ connectionString: t.url });
  await blocker.connect();
  await blocker.query('begin');
  await blocker.query('select * from stock where sku = $1 for update', [sku]);
  return async () => {
    await blocker.query('commit');
    await blocker.end();
  };
}

/** Runs `attempt` twice at once while the stock row is held, then lets both go. */
async function overlapping<T>(sku: string, attempt: () => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const release = await holdStockRow(sku);
  const both = Promise.allSettled([attempt(), attempt()]);
  // Both transactions have begun and wait on the held row (or on each other's invoice lock).
  await expect.poll(() => waitingOn(), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
  await release();
  return both;
}

async function waitingOn(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
  return rows[0]?.n ?? 0;
}

const reservations = () => createReservationActivities(t);
const shipments = () => createShipmentActivities(t);
// The merge activities that touch only PostgreSQL never use the Temporal client.
const merges = () => createMergeActivities({ db: t.db, temporal: undefined as unknown as Client });

describe('two attempts of one stock activity at once: one effect', () => {
  it('reserve for a new invoice (the drift the old code had: reserved 10, reservations 5)', async () => {
    await addProduct(t.db, 'OV-1', { onHand: 100 });
    const invoiceId = randomUUID();
    const results = await overlapping('OV-1', () => reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-1', quantity: 5 }] }));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await stockOf(t.db, 'OV-1')).toEqual({ onHand: 100, reserved: 5, reservationsSum: 5 });
  });

  it('reserve raising and lowering an existing invoice', async () => {
    await addProduct(t.db, 'OV-2', { onHand: 10 });
    const invoiceId = randomUUID();
    await reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-2', quantity: 2 }] });
    await overlapping('OV-2', () => reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-2', quantity: 7 }] }));
    expect(await stockOf(t.db, 'OV-2')).toEqual({ onHand: 10, reserved: 7, reservationsSum: 7 });
    await overlapping('OV-2', () => reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-2', quantity: 1 }] }));
    expect(await stockOf(t.db, 'OV-2')).toEqual({ onHand: 10, reserved: 1, reservationsSum: 1 });
  });

  it('release', async () => {
    await addProduct(t.db, 'OV-3', { onHand: 10 });
    const invoiceId = randomUUID();
    await reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-3', quantity: 4 }] });
    await overlapping('OV-3', () => reservations().releaseInvoiceReservations({ invoiceId }));
    expect(await stockOf(t.db, 'OV-3')).toEqual({ onHand: 10, reserved: 0, reservationsSum: 0 });
  });

  it('shipment: stock leaves once, one realization', async () => {
    await addProduct(t.db, 'OV-4', { onHand: 10 });
    const customerId = await addCustomer(t.db);
    const invoiceId = randomUUID();
    const lines = await reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-4', quantity: 3 }] });
    const input = {
      invoiceId,
      customerId,
      realizationId: randomUUID(),
      realizationNumber: `РЛ-OV-${invoiceId.slice(0, 6)}`,
      shippedAt: new Date().toISOString(),
      lines,
      boxes: [],
    };
    const results = await overlapping('OV-4', () => shipments().commitShipment(input));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await stockOf(t.db, 'OV-4')).toEqual({ onHand: 7, reserved: 0, reservationsSum: 0 });
    expect(await t.db.selectFrom('realizations').select('id').where('invoice_id', '=', invoiceId).execute()).toHaveLength(1);
  });

  it('stock correction: one cut, however many attempts', async () => {
    await addProduct(t.db, 'OV-5', { onHand: 10 });
    const a = randomUUID();
    const b = randomUUID();
    await reservations().reserveInvoiceLines({ invoiceId: a, lines: [{ sku: 'OV-5', quantity: 4 }] });
    await reservations().reserveInvoiceLines({ invoiceId: b, lines: [{ sku: 'OV-5', quantity: 4 }] });
    const correction = { correctionId: randomUUID(), sku: 'OV-5', onHand: 6 };
    const results = await overlapping('OV-5', () => shipments().correctStock(correction));
    const affected = results.map((r) => (r.status === 'fulfilled' ? r.value.affectedInvoiceIds : r.reason));
    expect(affected[0]).toEqual(affected[1]);
    expect(await stockOf(t.db, 'OV-5')).toEqual({ onHand: 6, reserved: 6, reservationsSum: 6 });
  });

  it('merge move and restore', async () => {
    await addProduct(t.db, 'OV-6', { onHand: 20 });
    const [s1, s2, mergeId] = [randomUUID(), randomUUID(), randomUUID()];
    await reservations().reserveInvoiceLines({ invoiceId: s1, lines: [{ sku: 'OV-6', quantity: 3 }] });
    await reservations().reserveInvoiceLines({ invoiceId: s2, lines: [{ sku: 'OV-6', quantity: 4 }] });
    await overlapping('OV-6', () => merges().moveReservations({ mergeId, fromInvoiceIds: [s1, s2], toInvoiceId: mergeId }));
    expect(await t.db.selectFrom('reservations').select(['invoice_id', 'quantity']).where('sku', '=', 'OV-6').execute()).toEqual([
      { invoice_id: mergeId, quantity: 7 },
    ]);
    expect(await stockOf(t.db, 'OV-6')).toEqual({ onHand: 20, reserved: 7, reservationsSum: 7 });
    await overlapping('OV-6', () => merges().restoreReservations({ mergeId }));
    const back = await t.db.selectFrom('reservations').select(['invoice_id', 'quantity']).where('sku', '=', 'OV-6').orderBy('quantity').execute();
    expect(back).toEqual([
      { invoice_id: s1, quantity: 3 },
      { invoice_id: s2, quantity: 4 },
    ]);
    expect(await stockOf(t.db, 'OV-6')).toEqual({ onHand: 20, reserved: 7, reservationsSum: 7 });
  });

  it('restore gives back only what the merged invoice still holds after a cut', async () => {
    await addProduct(t.db, 'OV-7', { onHand: 10 });
    const [s1, s2, mergeId] = [randomUUID(), randomUUID(), randomUUID()];
    await reservations().reserveInvoiceLines({ invoiceId: s1, lines: [{ sku: 'OV-7', quantity: 5 }] });
    await reservations().reserveInvoiceLines({ invoiceId: s2, lines: [{ sku: 'OV-7', quantity: 5 }] });
    await merges().moveReservations({ mergeId, fromInvoiceIds: [s1, s2], toInvoiceId: mergeId });
    await shipments().correctStock({ correctionId: randomUUID(), sku: 'OV-7', onHand: 6 });
    await merges().restoreReservations({ mergeId });
    expect(await stockOf(t.db, 'OV-7')).toEqual({ onHand: 6, reserved: 6, reservationsSum: 6 });
  });

  it('pin: once, and never after a cut took the stock', async () => {
    await addProduct(t.db, 'OV-8', { onHand: 10 });
    const invoiceId = randomUUID();
    await reservations().reserveInvoiceLines({ invoiceId, lines: [{ sku: 'OV-8', quantity: 6 }] });
    const pin = () => reservations().pinInvoiceReservations({ invoiceId, lines: [{ sku: 'OV-8', approved: 6 }] });
    expect((await overlapping('OV-8', pin)).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    // Pinned pieces are never cut: a correction below them is refused.
    await expect(shipments().correctStock({ correctionId: randomUUID(), sku: 'OV-8', onHand: 5 })).rejects.toMatchObject({ type: 'invalid_stock' });
    expect(await stockOf(t.db, 'OV-8')).toEqual({ onHand: 10, reserved: 6, reservationsSum: 6 });

    const other = randomUUID();
    await reservations().reserveInvoiceLines({ invoiceId: other, lines: [{ sku: 'OV-8', quantity: 4 }] });
    await shipments().correctStock({ correctionId: randomUUID(), sku: 'OV-8', onHand: 8 });
    await expect(reservations().pinInvoiceReservations({ invoiceId: other, lines: [{ sku: 'OV-8', approved: 4 }] })).rejects.toMatchObject({
      type: 'invalid_transition',
    });
  });
});

describe('two attempts of a number allocation at once', () => {
  it('give one number and leave no gap', async () => {
    const { allocateNumber } = createNumberActivities(t);
    const year = 2031;
    const entity = randomUUID();
    const [a, b] = await Promise.all([
      allocateNumber({ kind: 'invoice', entityId: entity, year }),
      allocateNumber({ kind: 'invoice', entityId: entity, year }),
    ]);
    expect(a).toBe(b);
    expect(await allocateNumber({ kind: 'invoice', entityId: randomUUID(), year })).not.toBe(a);
    const counter = await t.db.selectFrom('number_counters').select('last').where('kind', '=', 'invoice').where('year', '=', year).executeTakeFirstOrThrow();
    expect(counter.last).toBe(2);
  });
});

describe('the database keeps reserved = sum(reservations)', () => {
  it('refuses a commit that would make them drift, loudly', async () => {
    await addProduct(t.db, 'OV-9', { onHand: 10 });
    await expect(sql`update stock set reserved = reserved + 1 where sku = 'OV-9'`.execute(t.db)).rejects.toThrow(/stock drift on OV-9/);
    expect(await stockOf(t.db, 'OV-9')).toEqual({ onHand: 10, reserved: 0, reservationsSum: 0 });
  });

  it('has no violations after all of the above', async () => {
    // Reservations here belong to invoices with no read model, which the full check counts as
    // orphans; the bookkeeping part must balance.
    const violations = await stockViolations(t.db);
    expect(violations.filter((v) => !v.startsWith('reservation of'))).toEqual([]);
    expect(await createProjectionActivities(t).isInvoiceOpen({ invoiceId: randomUUID() })).toBe(true);
  });
});
