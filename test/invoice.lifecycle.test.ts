import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, stockOf } from './support/fixtures.js';
import { client } from './support/http.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

const warehouse = () => client(s.app, staff.warehouse);
const approvedOf = (invoice: { lines: { sku: string; approved: number }[] }) => Object.fromEntries(invoice.lines.map((l) => [l.sku, l.approved]));

/** Per invoice and SKU, reservations equal approved quantities, and stock counts agree. */
async function expectStockMatches(invoice: { id: string; lines: { sku: string; approved: number }[] }) {
  const held = await s.db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoice.id).execute();
  expect(Object.fromEntries(held.map((r) => [r.sku, r.quantity]))).toEqual(
    Object.fromEntries(invoice.lines.filter((l) => l.approved > 0).map((l) => [l.sku, l.approved])),
  );
  for (const { sku } of invoice.lines) {
    const st = await stockOf(s.db, sku);
    expect(st.reserved).toBe(st.reservationsSum);
    expect(st.onHand - st.reserved).toBeGreaterThanOrEqual(0);
  }
}

describe('customer path: edit → submit → ship → warehouse → shipped', () => {
  it('walks the whole path with stock right after every step', async () => {
    await addProduct(s.db, 'LC-A', { onHand: 20, priceKopecks: 10000, piecesPerBox: 4 });
    await addProduct(s.db, 'LC-B', { onHand: 5, priceKopecks: 5000, piecesPerBox: 10 });
    const me = await newCustomer(s);
    let inv = (await orderInvoice(me.call, { 'LC-A': 10, 'LC-B': 8 })).body;
    expect(approvedOf(inv)).toEqual({ 'LC-A': 10, 'LC-B': 5 });
    await expectStockMatches(inv);

    // edit: lower A, drop B → draft; stock is freed at once
    const edited = await me.call(
      'PATCH',
      `/v1/invoices/${inv.id}`,
      {
        lines: [
          { sku: 'LC-A', quantity: 6 },
          { sku: 'LC-B', quantity: 0 },
        ],
      },
      { 'If-Match': String(inv.version) },
    );
    expect(edited.status).toBe(200);
    inv = edited.body;
    expect(inv).toMatchObject({ status: 'draft', statusLabel: 'Редактируется', allowedActions: ['edit', 'addItems', 'submit', 'merge', 'cancel'] });
    expect(approvedOf(inv)).toEqual({ 'LC-A': 6 });
    expect(await stockOf(s.db, 'LC-B')).toMatchObject({ reserved: 0 });
    await expectStockMatches(inv);

    // raise A in the draft: approval waits for the re-check
    inv = (await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'LC-A', quantity: 9 }] })).body;
    expect(inv.lines[0]).toMatchObject({ requested: 9, approved: 6 });

    // ship from draft is refused with a reason
    const refused = await me.call('POST', `/v1/invoices/${inv.id}/ship`);
    expect(refused).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    expect(refused.body.detail).toContain('на подтверждение');

    // submit: re-check → confirmed, new expiry
    const submitted = await me.call('POST', `/v1/invoices/${inv.id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'confirmed', lines: [expect.objectContaining({ requested: 9, approved: 9 })] });
    expect(Date.parse(submitted.body.expiresAt)).toBeGreaterThan(Date.parse(inv.expiresAt));
    inv = submitted.body;
    await expectStockMatches(inv);
    expect(await me.call('POST', `/v1/invoices/${inv.id}/submit`)).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });

    // ship → locked
    inv = (await me.call('POST', `/v1/invoices/${inv.id}/ship`)).body;
    expect(inv).toMatchObject({ status: 'shipment_confirmed', allowedActions: ['requestInventory'], expiresAt: null });
    for (const [method, path, body] of [
      ['PATCH', '', { lines: [{ sku: 'LC-A', quantity: 1 }] }],
      ['POST', '/submit', undefined],
      ['POST', '/cancel', undefined],
      ['POST', '/ship', undefined],
    ] as const) {
      expect(await me.call(method, `/v1/invoices/${inv.id}${path}`, body), `${method} ${path}`).toMatchObject({
        status: 409,
        body: { code: 'invoice_locked' },
      });
    }

    // the warehouse cannot skip a step
    expect(await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'shipped' })).toMatchObject({
      status: 409,
      body: { code: 'invalid_transition' },
    });
    expect((await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'to_warehouse' })).body.status).toBe('to_warehouse');
    const assembled = await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'assembled' });
    expect(assembled.body.status).toBe('assembled');
    // packed by pieces per box: 9 pieces at 4 a box → 4 + 4 + 1
    const boxes = (await s.db.selectFrom('invoices').select('boxes').where('id', '=', inv.id).executeTakeFirstOrThrow()).boxes;
    expect(boxes?.map((b) => b.lines[0]?.quantity)).toEqual([4, 4, 1]);

    const before = await stockOf(s.db, 'LC-A');
    const shipped = await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'shipped' });
    expect(shipped.body.status).toBe('shipped');
    expect(await stockOf(s.db, 'LC-A')).toEqual({ onHand: before.onHand - 9, reserved: before.reserved - 9, reservationsSum: before.reservationsSum - 9 });

    const realizations = await me.call('GET', '/v1/realizations');
    expect(realizations.body.items).toEqual([
      expect.objectContaining({
        invoiceId: inv.id,
        number: expect.stringMatching(/^РЛ-\d{4}-\d{6}$/),
        lines: [expect.objectContaining({ sku: 'LC-A', quantity: 9, price: '100.00', total: '900.00' })],
        total: '900.00',
        boxes: [expect.anything(), expect.anything(), expect.anything()],
      }),
    ]);
    const history = (await me.call('GET', `/v1/invoices/${inv.id}/history`)).body.map((e: { action: string; toStatus: string }) => `${e.action}:${e.toStatus}`);
    expect(history).toEqual([
      'create:confirmed',
      'edit:draft',
      'edit:draft',
      'submit:confirmed',
      'ship:shipment_confirmed',
      'to_warehouse:to_warehouse',
      'assembled:assembled',
      'shipped:shipped',
    ]);

    // emails: one per customer-visible transition, keyed per version. Sent in the background after
    // each step's commit, so the last one may still be on its way when the step answers.
    const sentKeys = () => s.resend.emails.filter((e) => e.status === 200 && e.key?.startsWith(`invoice/${inv.id}`)).map((e) => e.key);
    await expect
      .poll(sentKeys, { timeout: 20_000 })
      .toEqual(expect.arrayContaining([`invoice/${inv.id}/created`, expect.stringMatching(/\/shipment_confirmed$/), expect.stringMatching(/\/shipped$/)]));
    const keys = sentKeys();
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('takes the boxes the warehouse reports and refuses boxes that do not add up', async () => {
    await addProduct(s.db, 'BX-A', { onHand: 50 });
    await addProduct(s.db, 'BX-B', { onHand: 50 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'BX-A': 5, 'BX-B': 3 })).body;
    await me.call('POST', `/v1/invoices/${inv.id}/ship`);
    await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'to_warehouse' });
    const wrong = await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, {
      status: 'assembled',
      boxes: [{ number: 1, lines: [{ sku: 'BX-A', quantity: 5 }] }],
    });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(wrong.body.detail).toContain('BX-B');
    const boxes = [
      { number: 1, lines: [{ sku: 'BX-A', quantity: 5 }] },
      { number: 2, lines: [{ sku: 'BX-B', quantity: 3 }] },
    ];
    expect((await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'assembled', boxes })).body.status).toBe('assembled');
    const row = await s.db.selectFrom('invoices').select(['boxes', 'version']).where('id', '=', inv.id).executeTakeFirstOrThrow();
    expect(row.boxes).toEqual(boxes);
  });
});

describe('adding items from the cart into an invoice', () => {
  it('sums the same SKU, checks the new lines and confirms', async () => {
    await addProduct(s.db, 'ADD-A', { onHand: 12 });
    await addProduct(s.db, 'ADD-B', { onHand: 2 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'ADD-A': 5 })).body;
    await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'ADD-A', quantity: 4 }] });
    await me.call('PUT', '/v1/cart/items/ADD-A', { quantity: 10 });
    await me.call('PUT', '/v1/cart/items/ADD-B', { quantity: 3 });
    const added = await me.call('POST', '/v1/cart/checkout', { target: { invoiceId: inv.id } });
    expect(added).toMatchObject({ status: 202, body: { invoiceId: inv.id } });
    const after = (await me.call('GET', `/v1/invoices/${inv.id}`)).body;
    expect(after.status).toBe('confirmed');
    expect(
      after.lines.map((l: { sku: string; requested: number; approved: number; rejected: number }) => [l.sku, l.requested, l.approved, l.rejected]),
    ).toEqual([
      ['ADD-A', 14, 12, 2],
      ['ADD-B', 3, 2, 1],
    ]);
    await expectStockMatches(after);
    expect((await me.call('GET', '/v1/cart')).body.lines).toEqual([]);
  });

  it('keeps the cart when the invoice refuses the items', async () => {
    await addProduct(s.db, 'ADD-C', { onHand: 12 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'ADD-C': 1 })).body;
    await me.call('POST', `/v1/invoices/${inv.id}/ship`);
    await me.call('PUT', '/v1/cart/items/ADD-C', { quantity: 2 });
    expect(await me.call('POST', '/v1/cart/checkout', { target: { invoiceId: inv.id } })).toMatchObject({ status: 409, body: { code: 'invoice_locked' } });
    expect((await me.call('GET', '/v1/cart')).body.lines).toEqual([expect.objectContaining({ sku: 'ADD-C', quantity: 2 })]);
    const other = await newCustomer(s);
    await other.call('PUT', '/v1/cart/items/ADD-C', { quantity: 1 });
    expect(await other.call('POST', '/v1/cart/checkout', { target: { invoiceId: inv.id } })).toMatchObject({ status: 404 });
  });
});

describe('changes the customer did not make', () => {
  it('a manager changes a price and a quantity → changed; shipping needs the customer to accept', async () => {
    await addProduct(s.db, 'MG-A', { onHand: 30, priceKopecks: 20000 });
    const me = await newCustomer(s, { managerEmail: 'anna@supplier.example' });
    const inv = (await orderInvoice(me.call, { 'MG-A': 10 })).body;
    const stranger = client(s.app, staff.manager('boris@supplier.example'));
    expect((await stranger('POST', `/v1/manager/invoices/${inv.id}/lines`, { lines: [{ sku: 'MG-A', price: '1.00' }], comment: 'x' })).status).toBe(404);
    const manager = client(s.app, staff.manager('anna@supplier.example'));
    const changed = await manager('POST', `/v1/manager/invoices/${inv.id}/lines`, {
      lines: [{ sku: 'MG-A', quantity: 7, price: '180.00' }],
      comment: 'Скидка 10% по договорённости',
    });
    expect(changed.body).toMatchObject({
      status: 'changed',
      statusLabel: 'Изменен',
      lines: [expect.objectContaining({ requested: 7, approved: 7, price: '180.00', total: '1260.00' })],
    });
    await expectStockMatches(changed.body);
    expect(await me.call('POST', `/v1/invoices/${inv.id}/ship`)).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    const accepted = await me.call('POST', `/v1/invoices/${inv.id}/submit`);
    // accepting keeps the manager's price through the re-check
    expect(accepted.body).toMatchObject({ status: 'confirmed', lines: [expect.objectContaining({ price: '180.00', approved: 7 })] });
    const email = s.resend.emails.find((e) => e.key?.startsWith(`invoice/${inv.id}/`) && e.key.endsWith('/changed'));
    expect(JSON.stringify(email?.body)).toContain('Скидка 10%');
    const history = (await me.call('GET', `/v1/invoices/${inv.id}/history`)).body;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['create', 'manager_adjust', 'accept_changes']);
    expect(history[1]).toMatchObject({ actor: { type: 'manager' }, details: { comment: 'Скидка 10% по договорённости' } });
  });

  it('a stock correction cuts the newest invoices first and marks them changed', async () => {
    await addProduct(s.db, 'CUT-A', { onHand: 10 });
    const [a, b, c] = [await newCustomer(s), await newCustomer(s), await newCustomer(s)];
    const older = (await orderInvoice(a.call, { 'CUT-A': 4 })).body;
    const locked = (await orderInvoice(c.call, { 'CUT-A': 2 })).body;
    await c.call('POST', `/v1/invoices/${locked.id}/ship`);
    await warehouse()('POST', `/v1/warehouse/invoices/${locked.id}/status`, { status: 'to_warehouse' });
    const newer = (await orderInvoice(b.call, { 'CUT-A': 4 })).body;
    expect(await stockOf(s.db, 'CUT-A')).toMatchObject({ reserved: 10 });

    const res = await warehouse()('PUT', '/v1/warehouse/stock/CUT-A', { onHand: 5 });
    expect(res.body).toMatchObject({ onHand: 5, reserved: 5, available: 0 });
    expect(res.body.affectedInvoiceIds.sort()).toEqual([newer.id, older.id].sort());
    await expect.poll(async () => (await b.call('GET', `/v1/invoices/${newer.id}`)).body.status).toBe('changed');
    await expect.poll(async () => (await a.call('GET', `/v1/invoices/${older.id}`)).body.status).toBe('changed');
    const newerAfter = (await b.call('GET', `/v1/invoices/${newer.id}`)).body;
    const olderAfter = (await a.call('GET', `/v1/invoices/${older.id}`)).body;
    expect(approvedOf(newerAfter)).toEqual({ 'CUT-A': 0 });
    expect(approvedOf(olderAfter)).toEqual({ 'CUT-A': 3 });
    expect((await c.call('GET', `/v1/invoices/${locked.id}`)).body.status).toBe('to_warehouse');
    await expectStockMatches(newerAfter);
    await expectStockMatches(olderAfter);
    expect(await stockOf(s.db, 'CUT-A')).toEqual({ onHand: 5, reserved: 5, reservationsSum: 5 });

    // below what the warehouse already holds for picked invoices: refused, nothing changes
    const tooLow = await warehouse()('PUT', '/v1/warehouse/stock/CUT-A', { onHand: 1 });
    expect(tooLow).toMatchObject({ status: 422, body: { code: 'invalid_stock' } });
    expect(await stockOf(s.db, 'CUT-A')).toEqual({ onHand: 5, reserved: 5, reservationsSum: 5 });
  });
});

describe('concurrency and idempotency on one invoice', () => {
  it('lets exactly one of ten concurrent edits of the same version win', async () => {
    await addProduct(s.db, 'CC-A', { onHand: 100 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'CC-A': 50 })).body;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'CC-A', quantity: 40 - i }] }, { 'If-Match': String(inv.version) }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.status === 412).map((r) => r.body.code)).toEqual(Array(9).fill('version_conflict'));
    const final = (await me.call('GET', `/v1/invoices/${inv.id}`)).body;
    expect(final.version).toBe(2);
    expect(final.lines[0].requested).toBe(ok[0]?.body.lines[0].requested);
    await expectStockMatches(final);
  });

  it('applies concurrent edits without If-Match one after another, losing none', async () => {
    await addProduct(s.db, 'CC-B', { onHand: 100 });
    await addProduct(s.db, 'CC-C', { onHand: 100 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'CC-B': 10, 'CC-C': 10 })).body;
    const [x, y] = await Promise.all([
      me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'CC-B', quantity: 3 }] }),
      me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'CC-C', quantity: 4 }] }),
    ]);
    expect([x.status, y.status]).toEqual([200, 200]);
    const final = (await me.call('GET', `/v1/invoices/${inv.id}`)).body;
    expect(final.version).toBe(3);
    expect(approvedOf(final)).toEqual({ 'CC-B': 3, 'CC-C': 4 });
  });

  it('does a repeated command once (same Idempotency-Key)', async () => {
    await addProduct(s.db, 'ID-A', { onHand: 100 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'ID-A': 10 })).body;
    const key = { 'Idempotency-Key': `edit-${inv.id}` };
    const first = await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'ID-A', quantity: 3 }] }, key);
    const again = await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'ID-A', quantity: 3 }] }, key);
    expect(again.body).toEqual(first.body);
    expect((await me.call('GET', `/v1/invoices/${inv.id}`)).body.version).toBe(2);
  });

  it('refuses invalid edits before they reach the invoice', async () => {
    await addProduct(s.db, 'IV-A', { onHand: 100 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'IV-A': 10 })).body;
    expect(await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'IV-A', quantity: -1 }] })).toMatchObject({ status: 400 });
    expect(await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'OTHER', quantity: 1 }] })).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
    expect(await me.call('PATCH', `/v1/invoices/${inv.id}`, { lines: [{ sku: 'IV-A', quantity: 0 }] })).toMatchObject({ status: 400 });
    const after = (await me.call('GET', `/v1/invoices/${inv.id}`)).body;
    expect(after).toMatchObject({ version: 1, status: 'confirmed' });
    // refused commands never entered the workflow's history as updates
    const history = await s.client.workflow.getHandle(`invoice/${inv.id}`).fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(0);
  });
});

describe('notifications switch', () => {
  it('stops status emails when off and sends them again when on', async () => {
    await addProduct(s.db, 'NT-A', { onHand: 100 });
    const me = await newCustomer(s);
    expect((await me.call('GET', '/v1/settings')).body).toEqual({ emailNotifications: true });
    expect((await me.call('PUT', '/v1/settings', { emailNotifications: false })).body).toEqual({ emailNotifications: false });
    const inv = (await orderInvoice(me.call, { 'NT-A': 1 })).body;
    await me.call('POST', `/v1/invoices/${inv.id}/ship`);
    await expect.poll(() => s.db.selectFrom('email_log').select(['key', 'status']).where('key', 'like', `invoice/${inv.id}/%`).execute()).toHaveLength(2);
    const logged = await s.db.selectFrom('email_log').select(['status']).where('key', 'like', `invoice/${inv.id}/%`).execute();
    expect(logged.every((r) => r.status === 'skipped')).toBe(true);
    expect(s.resend.emails.filter((e) => e.key?.startsWith(`invoice/${inv.id}/`))).toEqual([]);
    await me.call('PUT', '/v1/settings', { emailNotifications: true });
    await warehouse()('POST', `/v1/warehouse/invoices/${inv.id}/status`, { status: 'to_warehouse' });
    await expect.poll(() => s.resend.emails.filter((e) => e.key?.startsWith(`invoice/${inv.id}/`)).length).toBe(1);
  });
});
