import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { getInvoiceQuery, type InvoiceState } from '../core/contracts/invoice.js';
import type { InvoiceLine } from '../core/domain/invoice.js';
import { MAX_BOXES, MAX_CART_LINES, MAX_INVOICE_LINES, MAX_LINE_QUANTITY, MAX_MERGE_SOURCES } from '../core/domain/limits.js';
import { packByPiecesPerBox, validateBoxes } from '../core/domain/packing.js';
import { createLogger } from '../runtime/logger.js';
import { customerUser } from './support/fixtures.js';
import { client } from './support/http.js';
import { invoiceFromCart } from './support/hostile.js';
import { newCustomer, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/** Temporal refuses payloads over 2 MB and warns from 512 KB. */
const TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

function line(i: number, approved: number, piecesPerBox: number, long = false): InvoiceLine {
  const sku = long ? `${'Ж'.repeat(55)}-${String(i).padStart(5, '0')}`.slice(0, 64) : `L-${i}`;
  return {
    sku,
    article: long ? 'А'.repeat(64) : 'A',
    name: long ? 'Н'.repeat(300) : `line ${i}`,
    characteristic: long ? 'Х'.repeat(200) : null,
    requested: approved,
    approved,
    priceKopecks: 99_999_999,
    piecesPerBox,
  };
}

describe('packing by pieces per box is bounded', () => {
  it('packs a million pieces at one per box into at most MAX_BOXES boxes, every piece exactly once', () => {
    const lines = [line(1, MAX_LINE_QUANTITY, 1), line(2, 7, 3)];
    const boxes = packByPiecesPerBox(lines);
    expect(boxes.length).toBeLessThanOrEqual(MAX_BOXES);
    expect(validateBoxes(lines, boxes)).toMatchObject({ ok: true });
  });

  it('keeps the ordinary packing when it fits', () => {
    const boxes = packByPiecesPerBox([line(1, 25, 10), line(2, 3, 4)]);
    expect(boxes.map((b) => b.lines[0]?.quantity)).toEqual([10, 10, 5, 3]);
  });

  it('keeps the largest allowed invoice (every bound at once, longest names) well under the payload limit', () => {
    const lines = Array.from({ length: MAX_INVOICE_LINES }, (_, i) => line(i, MAX_LINE_QUANTITY, 1, true));
    const boxes = packByPiecesPerBox(lines);
    expect(boxes.length).toBeLessThanOrEqual(MAX_BOXES);
    expect(validateBoxes(lines, boxes)).toMatchObject({ ok: true });
    const state: InvoiceState = {
      id: crypto.randomUUID(),
      number: 'СЧ-2026-000001',
      customerId: crypto.randomUUID(),
      orderId: crypto.randomUUID(),
      status: 'assembled',
      lines,
      version: 1_000_000,
      createdAt: new Date().toISOString(),
      confirmedAt: new Date().toISOString(),
      expiresAt: null,
      mergedInto: null,
      boxes,
      realization: null,
      mergedFrom: Array.from({ length: MAX_MERGE_SOURCES }, () => crypto.randomUUID()),
    };
    expect(bytes(state)).toBeLessThan(TEMPORAL_PAYLOAD_LIMIT / 2);
  });

  it('the cart bound in the migration is the one in core/domain/limits.ts', () => {
    const migration = readFileSync(new URL('../db/migrations/2026-11-30T0900_hostile_input.ts', import.meta.url), 'utf8');
    expect(migration).toContain(`const MAX_CART_LINES = ${MAX_CART_LINES};`);
  });
});

describe('on the real stack', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startTestStack(); // no rate limit there: it is tested below with its own app
  });
  afterAll(() => s.stop());

  it(`a cart holds at most ${MAX_CART_LINES} lines; a full cart becomes an invoice packed into at most ${MAX_BOXES} boxes, its state small`, async () => {
    const skus = Array.from({ length: MAX_CART_LINES + 1 }, (_, i) => `LIM-${String(i).padStart(4, '0')}`);
    await s.db
      .insertInto('products')
      .values(skus.map((sku) => ({ sku, article: 'LIM', name: `Колготки ${sku}`, characteristic: 'размер 3', price_kopecks: 100, pieces_per_box: 1 })))
      .execute();
    await s.db
      .insertInto('stock')
      .values(skus.map((sku) => ({ sku, on_hand: 10_000 })))
      .execute();
    const me = await newCustomer(s);
    await s.db
      .insertInto('cart_items')
      .values(skus.slice(0, MAX_CART_LINES - 1).map((sku) => ({ customer_id: me.id, sku, quantity: 2000 })))
      .execute();
    expect((await me.call('PUT', `/v1/cart/items/${skus[MAX_CART_LINES - 1] ?? ''}`, { quantity: 2000 })).status).toBe(200);
    expect(await me.call('PUT', `/v1/cart/items/${skus[MAX_CART_LINES] ?? ''}`, { quantity: 1 })).toMatchObject({
      status: 422,
      body: { code: 'too_many_lines' },
    });
    expect((await me.call('PUT', `/v1/cart/items/${skus[0] ?? ''}`, { quantity: 2000 })).status).toBe(200); // a line already there still changes
    const count = await s.db
      .selectFrom('cart_items')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('customer_id', '=', me.id)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(MAX_CART_LINES);

    // 500 lines × 2,000 pieces at one piece per box: a million boxes unbounded.
    const invoiceId = await invoiceFromCart(me.call, {});
    // A full invoice takes no new SKU through "add items" either: refused, cart and invoice as they were.
    expect((await me.call('PUT', `/v1/cart/items/${skus[MAX_CART_LINES] ?? ''}`, { quantity: 1 })).status).toBe(200);
    const added = await me.call('POST', '/v1/cart/checkout', { target: { invoiceId } });
    expect(added).toMatchObject({ status: 422, body: { code: 'too_many_lines', detail: expect.stringContaining(`${MAX_INVOICE_LINES + 1} позиций`) } });
    expect((await me.call('GET', '/v1/cart')).body).toMatchObject({ lines: [{ sku: skus[MAX_CART_LINES], quantity: 1 }] });
    expect((await me.call('GET', `/v1/invoices/${invoiceId}`)).body).toMatchObject({ status: 'confirmed', lines: expect.any(Array) });
    expect(((await me.call('GET', `/v1/invoices/${invoiceId}`)).body as { lines: unknown[] }).lines).toHaveLength(MAX_INVOICE_LINES);

    const warehouse = client(s.app, staff.warehouse);
    expect((await me.call('POST', `/v1/invoices/${invoiceId}/ship`)).status).toBe(200);
    expect((await warehouse('POST', `/v1/warehouse/invoices/${invoiceId}/status`, { status: 'to_warehouse' })).status).toBe(200);
    const assembled = await warehouse('POST', `/v1/warehouse/invoices/${invoiceId}/status`, { status: 'assembled' });
    expect(assembled.status).toBe(200);
    const state = await s.client.workflow.getHandle(`invoice/${invoiceId}`).query(getInvoiceQuery);
    expect(state.lines).toHaveLength(MAX_CART_LINES);
    expect(state.boxes?.length).toBeLessThanOrEqual(MAX_BOXES);
    expect(validateBoxes(state.lines, state.boxes ?? [])).toMatchObject({ ok: true });
    expect(bytes(state)).toBeLessThan(512 * 1024);
  }, 120_000);

  it('refuses a merge whose summed line would pass the pieces bound, sources untouched', async () => {
    await s.db
      .insertInto('products')
      .values({ sku: 'LIM-BIG', article: 'LIM', name: 'Колготки', characteristic: null, price_kopecks: 100, pieces_per_box: 1 })
      .execute();
    const me = await newCustomer(s);
    const half = MAX_LINE_QUANTITY / 2 + 1;
    const a = await invoiceFromCart(me.call, { 'LIM-BIG': half });
    const b = await invoiceFromCart(me.call, { 'LIM-BIG': half });
    const merged = await me.call('POST', '/v1/invoices/merge', { invoiceIds: [a, b] });
    expect(merged).toMatchObject({ status: 422, body: { code: 'too_many_lines', detail: expect.stringContaining(`${half * 2} шт.`) } });
    for (const id of [a, b]) expect((await me.call('GET', `/v1/invoices/${id}`)).body).toMatchObject({ status: 'confirmed', mergedInto: null });
  });

  it('refuses requests past each bound with 400 before anything runs', async () => {
    const me = await newCustomer(s);
    const ids = (n: number) => Array.from({ length: n }, () => crypto.randomUUID());
    const id = crypto.randomUUID();
    const tooMany = Array.from({ length: MAX_INVOICE_LINES + 1 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }));
    expect((await me.call('POST', '/v1/invoices/merge', { invoiceIds: ids(MAX_MERGE_SOURCES + 1) })).status).toBe(400);
    expect((await me.call('PATCH', `/v1/invoices/${id}`, { lines: tooMany })).status).toBe(400);
    expect((await me.call('PUT', '/v1/cart/items/LIM-0000', { quantity: MAX_LINE_QUANTITY + 1 })).status).toBe(400);
    expect((await me.call('GET', '/v1/invoices?limit=201')).status).toBe(400);
    expect((await me.call('GET', `/v1/catalog/products?q=${'x'.repeat(101)}`)).status).toBe(400);
    const warehouse = client(s.app, staff.warehouse);
    const boxes = Array.from({ length: MAX_BOXES + 1 }, (_, i) => ({ number: i + 1, lines: [{ sku: 'LIM-0000', quantity: 1 }] }));
    expect((await warehouse('POST', `/v1/warehouse/invoices/${id}/status`, { status: 'assembled', boxes })).status).toBe(400);
  });

  it('limits writes per token: 429 with Retry-After past the burst; reads and other tokens unaffected', async () => {
    const config = { ...s.config, limits: { ...s.config.limits, writesPerMinute: 60, writeBurst: 3 } };
    const app = createApp({ db: s.db, temporal: s.client, config, logger: createLogger('silent', 'test') });
    const a = await newCustomer(s);
    const b = await newCustomer(s);
    const callA = client(app, customerUser(a.id));
    const callB = client(app, customerUser(b.id));
    for (let i = 0; i < 3; i++) expect((await callA('PUT', '/v1/settings', { emailNotifications: i % 2 === 0 })).status).toBe(200);
    const limited = await callA('PUT', '/v1/settings', { emailNotifications: true });
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await callA('GET', '/v1/settings')).status).toBe(200);
    expect((await callB('PUT', '/v1/settings', { emailNotifications: false })).status).toBe(200);
    // One write per second refills: after Retry-After the next write passes.
    await new Promise((r) => setTimeout(r, Number(limited.headers.get('retry-after')) * 1000));
    expect((await callA('PUT', '/v1/settings', { emailNotifications: true })).status).toBe(200);
  });
});
