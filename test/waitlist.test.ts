import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../runtime/logger.js';
import { offerWaitlist } from '../db/waitlist.repository.js';
import { startWaitlistWaker } from '../runtime/waitlist-waker.js';
import { addProduct, stockOf } from './support/fixtures.js';
import { client } from './support/http.js';
import { stockViolations } from './support/invariants.js';
import { newCustomer, orderInvoice, staff, waitForInvoice, type Call } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The waitlist on the real stack: places in line per SKU, offers that hold stock in the order
 * asked, holds that lapse to the next in line, claims that pass the held pieces to an invoice,
 * and the stock exact after every step, also under concurrent arrivals.
 */

const HOLD = '3s';
let s: TestStack;
let waker: { stop(): Promise<void> };
beforeAll(async () => {
  s = await startTestStack({ WAITLIST_HOLD: HOLD, WAITLIST_TTL: '1h' });
  waker = startWaitlistWaker({
    db: s.db,
    temporal: s.client,
    taskQueue: s.config.temporal.taskQueue,
    holdMs: s.config.waitlist.holdMs,
    logger: createLogger('silent', 'test'),
  });
});
afterAll(async () => {
  await waker.stop();
  await s.stop();
});

const run = crypto.randomUUID().slice(0, 6);
const sku = (name: string) => `WL-${run}-${name}`;
const warehouse = () => client(s.app, staff.warehouse);
type Entry = { id: string; sku: string; status: string; held: number; position: number | null; holdUntil: string | null };

async function entryOf(call: Call, id: string): Promise<Entry> {
  const items = (await call('GET', '/v1/waitlist')).body.items as Entry[];
  const found = items.find((e) => e.id === id);
  if (!found) throw new Error(`entry ${id} not listed`);
  return found;
}
const statusOf = (call: Call, id: string) => async () => (await entryOf(call, id)).status;

async function expectStockExact(): Promise<void> {
  await expect.poll(() => stockViolations(s.db), { timeout: 15_000 }).toEqual([]);
}

describe('waitlist', () => {
  it('offers arriving stock in the order asked, holds it, lapses it to the next in line, and a claim makes an order of it', async () => {
    const A = sku('A');
    await addProduct(s.db, A, { onHand: 0 });
    const [first, second, third] = [await newCustomer(s), await newCustomer(s), await newCustomer(s)];
    const join = async (c: { call: Call }, quantity: number) => {
      const res = await c.call('POST', '/v1/waitlist', { sku: A, quantity });
      expect(res.status).toBe(201);
      return res.body as Entry;
    };
    const e1 = await join(first, 4);
    const e2 = await join(second, 3);
    const e3 = await join(third, 2);
    expect([e1.position, e2.position, e3.position]).toEqual([1, 2, 3]);
    expect(e1).toMatchObject({ status: 'waiting', held: 0, statusLabel: 'Ожидает поступления' });
    // One place per customer and SKU.
    expect(await first.call('POST', '/v1/waitlist', { sku: A, quantity: 1 })).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    expect(await first.call('POST', '/v1/waitlist', { sku: 'NO-SUCH-SKU', quantity: 1 })).toMatchObject({ status: 422, body: { code: 'unknown_sku' } });

    // 5 arrive: the first in line gets 4 held, the second the 1 left; the third still waits.
    expect((await warehouse()('PUT', `/v1/warehouse/stock/${A}`, { onHand: 5 })).status).toBe(200);
    await expect.poll(statusOf(first.call, e1.id), { timeout: 15_000 }).toBe('offered');
    await expect.poll(statusOf(second.call, e2.id), { timeout: 15_000 }).toBe('offered');
    expect(await entryOf(first.call, e1.id)).toMatchObject({ held: 4, statusLabel: 'Товар отложен для вас', holdUntil: expect.any(String) });
    expect(await entryOf(second.call, e2.id)).toMatchObject({ held: 1 });
    expect(await entryOf(third.call, e3.id)).toMatchObject({ status: 'waiting', held: 0 });
    expect(await stockOf(s.db, A)).toEqual({ onHand: 5, reserved: 5, reservationsSum: 5 });
    await expectStockExact();
    // Someone else's order finds nothing free: the pieces are held for those who asked.
    const other = await newCustomer(s);
    expect((await orderInvoice(other.call, { [A]: 1 })).body.lines[0]).toMatchObject({ approved: 0, rejected: 1 });
    // The offer is emailed ("товар поступил"), once.
    await expect.poll(() => s.resend.emails.filter((e) => e.key?.startsWith(`waitlist/${e1.id}/offer/`)).length, { timeout: 15_000 }).toBe(1);
    expect(JSON.stringify(s.resend.emails.find((e) => e.key?.startsWith(`waitlist/${e1.id}/offer/`))?.body)).toContain('Товар поступил');

    // The first claims into a new order: the held pieces become the invoice's, nothing in between.
    const claim = await first.call('POST', `/v1/waitlist/${e1.id}/claim`, { target: 'new' });
    expect(claim.status).toBe(202);
    const invoiceId = await waitForInvoice(first.call, claim.body.orderId);
    const invoice = (await first.call('GET', `/v1/invoices/${invoiceId}`)).body;
    expect(invoice.lines).toEqual([expect.objectContaining({ sku: A, requested: 4, approved: 4 })]);
    expect(await entryOf(first.call, e1.id)).toMatchObject({ status: 'claimed', held: 0, invoiceId: null, claimedInvoiceId: invoiceId });
    // The same claim again is the same order, not a second one.
    expect(await first.call('POST', `/v1/waitlist/${e1.id}/claim`, { target: 'new' })).toMatchObject({ status: 409 });
    expect(await stockOf(s.db, A)).toEqual({ onHand: 5, reserved: 5, reservationsSum: 5 });

    // The second lets the hold lapse: its piece passes to the third.
    await expect.poll(statusOf(second.call, e2.id), { timeout: 20_000 }).toBe('lapsed');
    await expect.poll(statusOf(third.call, e3.id), { timeout: 15_000 }).toBe('offered');
    expect(await entryOf(third.call, e3.id)).toMatchObject({ held: 1 });
    expect(await second.call('POST', `/v1/waitlist/${e2.id}/claim`, { target: 'new' })).toMatchObject({
      status: 409,
      body: { detail: expect.stringContaining('резерв истёк') },
    });
    // The third leaves the line: its hold goes back, and nobody waits any more.
    const left = await third.call('DELETE', `/v1/waitlist/${e3.id}`);
    expect(left.body).toMatchObject({ status: 'cancelled', held: 0 });
    expect(await stockOf(s.db, A)).toEqual({ onHand: 5, reserved: 4, reservationsSum: 4 });
    await expectStockExact();
  });

  it('a claim into an open invoice adds the held pieces to it; a stock cut takes holds before invoices', async () => {
    const B = sku('B');
    await addProduct(s.db, B, { onHand: 2 });
    const me = await newCustomer(s);
    const open = (await orderInvoice(me.call, { [B]: 2 })).body;
    const entry = (await me.call('POST', '/v1/waitlist', { sku: B, quantity: 3, invoiceId: open.id })).body as Entry;
    expect((await warehouse()('PUT', `/v1/warehouse/stock/${B}`, { onHand: 5 })).status).toBe(200);
    await expect.poll(statusOf(me.call, entry.id), { timeout: 15_000 }).toBe('offered');

    // A correction below what is held: the hold is cut first, the invoice keeps its 2.
    const cut = await warehouse()('PUT', `/v1/warehouse/stock/${B}`, { onHand: 4 });
    expect(cut.body).toMatchObject({ onHand: 4, reserved: 4, affectedInvoiceIds: [] });
    expect(await entryOf(me.call, entry.id)).toMatchObject({ status: 'offered', held: 2 });
    expect((await me.call('GET', `/v1/invoices/${open.id}`)).body.status).toBe('confirmed');

    const claim = await me.call('POST', `/v1/waitlist/${entry.id}/claim`, { target: { invoiceId: open.id } });
    expect(claim).toMatchObject({ status: 202, body: { invoiceId: open.id } });
    const after = (await me.call('GET', `/v1/invoices/${open.id}`)).body;
    expect(after).toMatchObject({ status: 'confirmed', lines: [expect.objectContaining({ sku: B, requested: 4, approved: 4 })] });
    expect(await entryOf(me.call, entry.id)).toMatchObject({ status: 'claimed', invoiceId: open.id, claimedInvoiceId: open.id });
    expect(await stockOf(s.db, B)).toEqual({ onHand: 4, reserved: 4, reservationsSum: 4 });
    await expectStockExact();
  });

  it('overlapping attempts of one pass (an activity and its retry) offer the same pieces once', async () => {
    const D = sku('D');
    await addProduct(s.db, D, { onHand: 0 });
    const people = await Promise.all(Array.from({ length: 3 }, () => newCustomer(s)));
    for (const p of people) expect((await p.call('POST', '/v1/waitlist', { sku: D, quantity: 2 })).status).toBe(201);
    // Stock set behind the waker's back, then five passes at once, as overlapping attempts would run.
    await s.db.updateTable('stock').set({ on_hand: 5 }).where('sku', '=', D).execute();
    const passes = await Promise.all(Array.from({ length: 5 }, () => offerWaitlist(s.db, D, 60_000)));
    for (const pass of passes) expect(pass.offers.map((o) => o.held)).toEqual([2, 2, 1]);
    expect(await stockOf(s.db, D)).toEqual({ onHand: 5, reserved: 5, reservationsSum: 5 });
    await expectStockExact();
  });

  it('a stock cut takes holds from the back of the line first, so the first in line keeps theirs', async () => {
    const E = sku('E');
    await addProduct(s.db, E, { onHand: 0 });
    const people = await Promise.all(Array.from({ length: 3 }, () => newCustomer(s)));
    for (const p of people) expect((await p.call('POST', '/v1/waitlist', { sku: E, quantity: 2 })).status).toBe(201);
    await s.db.updateTable('stock').set({ on_hand: 5 }).where('sku', '=', E).execute();
    // One pass: the three holds share a timestamp; only their places tell them apart.
    expect((await offerWaitlist(s.db, E, 60_000)).offers.map((o) => o.held)).toEqual([2, 2, 1]);
    expect((await warehouse()('PUT', `/v1/warehouse/stock/${E}`, { onHand: 2 })).body).toMatchObject({ onHand: 2, reserved: 2, affectedInvoiceIds: [] });
    const rows = await s.db.selectFrom('waitlist_entries').select(['status', 'held']).where('sku', '=', E).orderBy('seq').execute();
    expect(rows).toEqual([
      { status: 'offered', held: 2 },
      { status: 'waiting', held: 0 },
      { status: 'waiting', held: 0 },
    ]);
    await expectStockExact();
    // More arrives: the front first; a partial offer is topped up before anyone behind it gets more.
    const heldNow = async () => (await s.db.selectFrom('waitlist_entries').select('held').where('sku', '=', E).orderBy('seq').execute()).map((r) => r.held);
    await s.db.updateTable('stock').set({ on_hand: 3 }).where('sku', '=', E).execute();
    await offerWaitlist(s.db, E, 60_000);
    expect(await heldNow()).toEqual([2, 1, 0]);
    await s.db.updateTable('stock').set({ on_hand: 5 }).where('sku', '=', E).execute();
    await offerWaitlist(s.db, E, 60_000);
    expect(await heldNow()).toEqual([2, 2, 1]);
    await expectStockExact();
  });

  it('twenty join at once while stock arrives in three corrections: offers follow the order asked, never more than is free', async () => {
    const C = sku('C');
    await addProduct(s.db, C, { onHand: 0 });
    const people = await Promise.all(Array.from({ length: 20 }, () => newCustomer(s)));
    const joined: Entry[] = [];
    // Joined one after another (the order asked), then stock arrives while more requests race.
    for (const p of people.slice(0, 10)) joined.push((await p.call('POST', '/v1/waitlist', { sku: C, quantity: 2 })).body as Entry);
    const racing = await Promise.all([
      ...people.slice(10).map((p) => p.call('POST', '/v1/waitlist', { sku: C, quantity: 2 })),
      warehouse()('PUT', `/v1/warehouse/stock/${C}`, { onHand: 3 }),
      warehouse()('PUT', `/v1/warehouse/stock/${C}`, { onHand: 7 }),
      warehouse()('PUT', `/v1/warehouse/stock/${C}`, { onHand: 9 }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([...Array(10).fill(201), 200, 200, 200].sort());
    await expect.poll(async () => (await stockOf(s.db, C)).reserved, { timeout: 15_000 }).toBe((await stockOf(s.db, C)).onHand);
    await expectStockExact();
    // Whatever the last correction left, the first in line got theirs before anyone behind them.
    const rows = await s.db.selectFrom('waitlist_entries').select(['seq', 'status', 'held']).where('sku', '=', C).orderBy('seq').execute();
    const heldInOrder = rows.map((r) => r.held);
    const firstShort = heldInOrder.findIndex((h) => h < 2);
    expect(heldInOrder.slice(firstShort + 1).every((h) => h === 0)).toBe(true);
    expect(heldInOrder.reduce((a, b) => a + b, 0)).toBe((await stockOf(s.db, C)).onHand);
    expect(rows.slice(0, 10).map((r) => r.status)).toEqual(expect.arrayContaining(['offered']));
  });
});
