import type { documentWorkflow } from '../workflows/document.workflow.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, customerUser } from './support/fixtures.js';
import { client } from './support/http.js';
import { newCustomer, orderInvoice, staff } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { pdfText, readWorkbook, sheetRows } from './support/documents.js';
import { attachmentsOf, download, upload, waitDocument } from './support/documents-http.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s.stop());

const warehouse = () => client(s.app, staff.warehouse);
const MANAGER = 'docs-manager@supplier.example';
const today = () => new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10);

/** A customer (notifications OFF: documents must still be emailed) with one shipped invoice. */
async function shippedCustomer(prefix: string) {
  await addProduct(s.db, `${prefix}-S`, { onHand: 100, priceKopecks: 14990, piecesPerBox: 4, name: 'Колготки «Шёлк»' });
  await addProduct(s.db, `${prefix}-M`, { onHand: 100, priceKopecks: 25000, piecesPerBox: 10, name: 'Носки хлопковые' });
  const me = await newCustomer(s, { managerEmail: MANAGER, notifications: false });
  const inv = (await orderInvoice(me.call, { [`${prefix}-S`]: 6, [`${prefix}-M`]: 3 })).body;
  return { me, inv };
}

async function ship(invoiceId: string, boxes?: unknown) {
  expect((await warehouse()('POST', `/v1/warehouse/invoices/${invoiceId}/status`, { status: 'to_warehouse' })).status).toBe(200);
  expect((await warehouse()('POST', `/v1/warehouse/invoices/${invoiceId}/status`, { status: 'assembled', ...(boxes ? { boxes } : {}) })).status).toBe(200);
  expect((await warehouse()('POST', `/v1/warehouse/invoices/${invoiceId}/status`, { status: 'shipped' })).status).toBe(200);
}

describe('inventory & certificates', () => {
  it('is refused before shipment, then generated, stored, listed, downloadable and emailed as a PDF', async () => {
    const { me, inv } = await shippedCustomer('INV');
    const early = await me.call('POST', `/v1/invoices/${inv.id}/inventory-request`);
    expect(early).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });

    expect((await me.call('POST', `/v1/invoices/${inv.id}/ship`)).body.status).toBe('shipment_confirmed');
    const before = await me.call('POST', `/v1/invoices/${inv.id}/inventory-request`);
    expect(before.status).toBe(202);
    expect(before.headers.get('location')).toBe(`/v1/documents/${before.body.documentId}`);
    const pending = await waitDocument(me.call, before.body.documentId);
    expect(pending).toMatchObject({ status: 'ready', type: 'inventory', fileName: `Опись и сертификаты ${inv.number}.pdf` });
    const text1 = await pdfText((await download(s, customerUser(me.id), `/v1/documents/${before.body.documentId}/file`)).bytes);
    expect(text1).toContain('появится после сборки');

    await ship(inv.id, [
      { number: 1, lines: [{ sku: 'INV-S', quantity: 6 }] },
      { number: 2, lines: [{ sku: 'INV-M', quantity: 3 }] },
    ]);
    const requested = await me.call('POST', `/v1/invoices/${inv.id}/inventory-request`);
    const doc = await waitDocument(me.call, requested.body.documentId);
    expect(doc.status).toBe('ready');
    const file = await download(s, customerUser(me.id), `/v1/documents/${requested.body.documentId}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(`Опись и сертификаты ${inv.number}.pdf`)}`);
    expect(file.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(file.bytes);
    expect(text).toContain(`Опись и сертификаты к счёту ${inv.number}`);
    expect(text).toContain('Колготки «Шёлк»');
    expect(text).toContain('Носки хлопковые');
    expect(text).toContain('31.12.2029');
    expect(text).toMatch(/ЕАЭС RU Д-\s*RU\.ТЕСТ\.00001\/24/);
    expect(text).toContain('Опись по коробам');
    expect(text).toMatch(/коробов: 2/);

    // Emailed with the file although the customer switched notifications off.
    // The email follows the ready status.
    await expect.poll(() => attachmentsOf(s, `document/${requested.body.documentId}/ready`), { timeout: 20_000 }).toBeDefined();
    const mail = attachmentsOf(s, `document/${requested.body.documentId}/ready`);
    expect(mail?.subject).toContain('Опись и сертификаты');
    expect(mail?.files[0]?.filename).toBe(`Опись и сертификаты ${inv.number}.pdf`);
    expect(mail?.files[0]?.content.equals(file.bytes)).toBe(true);

    const list = await me.call('GET', '/v1/documents?type=inventory');
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([requested.body.documentId, before.body.documentId]);
    expect((await me.call('GET', '/v1/documents?type=sales')).body.items).toEqual([]);

    // Another company sees nothing of it.
    const other = await newCustomer(s);
    expect((await other.call('GET', `/v1/documents/${requested.body.documentId}`)).status).toBe(404);
    expect((await download(s, customerUser(other.id), `/v1/documents/${requested.body.documentId}/file`)).status).toBe(404);
    expect((await other.call('GET', '/v1/documents')).body.items).toEqual([]);
    expect((await other.call('POST', `/v1/invoices/${inv.id}/inventory-request`)).status).toBe(404);
  });
});

describe('finance: payment invoices, payments, reports, packing lists', () => {
  it('produces every document from realizations and registered payments', async () => {
    const { me, inv } = await shippedCustomer('FIN');
    await me.call('POST', `/v1/invoices/${inv.id}/ship`);
    await ship(inv.id); // packed by pieces per box: 6 S at 4 → 4 + 2, 3 M at 10 → 3
    const realization = (await me.call('GET', '/v1/realizations')).body.items[0];
    expect(realization.total).toBe('1649.40'); // 6 × 149.90 + 3 × 250.00

    // Payment invoice for the realization
    const pi = await me.call('POST', '/v1/payment-invoices', { realizationIds: [realization.id] });
    expect(pi.status).toBe(202);
    const piDoc = await waitDocument(me.call, pi.body.documentId);
    expect(piDoc).toMatchObject({ status: 'ready', type: 'payment-invoice', number: expect.stringMatching(/^СО-\d{4}-\d{6}$/) });
    const piText = await pdfText((await download(s, customerUser(me.id), `/v1/documents/${pi.body.documentId}/file`)).bytes);
    expect(piText).toContain(`Счёт на оплату № ${piDoc.number as string}`);
    expect(piText).toContain(`Реализация № ${realization.number}`);
    expect(piText).toContain('ИНН 7701234567');
    expect(piText).toContain('044525225');
    expect(piText).toContain('40702810900000000001');
    expect(piText).toContain('1 649,40');
    expect(piText).toContain('НДС (22%)');
    expect(piText).toContain('297,43'); // 1649.40 × 22 / 122
    expect(piText).toContain('Одна тысяча шестьсот сорок девять рублей 40 копеек');

    // … and for an amount
    const advance = await me.call('POST', '/v1/payment-invoices', { amount: '1000.05' });
    await waitDocument(me.call, advance.body.documentId);
    expect(await pdfText((await download(s, customerUser(me.id), `/v1/documents/${advance.body.documentId}/file`)).bytes)).toContain(
      'Одна тысяча рублей 05 копеек',
    );
    expect(await me.call('POST', '/v1/payment-invoices', { amount: '0' })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await me.call('POST', '/v1/payment-invoices', {})).toMatchObject({ status: 400 });
    const stranger = await newCustomer(s);
    expect((await stranger.call('POST', '/v1/payment-invoices', { realizationIds: [realization.id] })).status).toBe(404);

    // Payments: only the customer's own manager (or an admin) registers them
    const payment = { customerId: me.id, amount: '600.00', paidAt: today(), reference: 'п/п 77' };
    expect((await client(s.app, staff.manager('someone-else@supplier.example'))('POST', '/v1/manager/payments', payment)).status).toBe(404);
    expect((await me.call('POST', '/v1/manager/payments', payment)).status).toBe(403);
    const manager = client(s.app, staff.manager(MANAGER));
    expect(await manager('POST', '/v1/manager/payments', payment)).toMatchObject({ status: 201, body: { amount: '600.00', reference: 'п/п 77' } });
    expect((await manager('POST', '/v1/manager/payments', payment)).status).toBe(200);
    expect(await manager('POST', '/v1/manager/payments', { ...payment, amount: '1.00' })).toMatchObject({ status: 400 });

    // Receivables today: 1649.40 shipped, 600 paid → 1049.40 owed, not yet due (14 days)
    const recv = await me.call('POST', '/v1/documents', { type: 'receivables' });
    expect(recv.status).toBe(202);
    expect(await waitDocument(me.call, recv.body.documentId)).toMatchObject({
      status: 'ready',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    const recvFile = await download(s, customerUser(me.id), `/v1/documents/${recv.body.documentId}/file`);
    const recvSheet = (await readWorkbook(recvFile.bytes)).worksheets[0]!;
    const recvRows = sheetRows(recvSheet);
    const recvLine = recvRows.find((r) => r[0] === realization.number);
    expect(recvLine?.slice(3, 9)).toEqual([1649.4, 600, 1049.4, 0, 0, 'в срок']);
    expect(recvRows.find((r) => r[0] === 'Итого задолженность')?.[5]).toBe(1049.4);
    const moneyCell = recvSheet.getRow(recvRows.indexOf(recvLine!) + 1).getCell(4);
    expect(moneyCell.numFmt).toBe('#,##0.00');
    expect(typeof moneyCell.value).toBe('number');
    expect(recvSheet.getColumn(1).width).toBeGreaterThan(10);

    // Settlements: opening 0, the realization, the payment, closing 1049.40
    const from = today();
    const st = await me.call('POST', '/v1/documents', { type: 'settlements', from, to: from });
    await waitDocument(me.call, st.body.documentId);
    const stRows = sheetRows((await readWorkbook((await download(s, customerUser(me.id), `/v1/documents/${st.body.documentId}/file`)).bytes)).worksheets[0]!);
    expect(stRows[0]?.[0]).toBe('Акт сверки взаимных расчётов');
    expect(stRows.find((r) => r[1] === `Реализация ${realization.number}`)?.[2]).toBe(1649.4);
    expect(stRows.find((r) => r[1] === 'Оплата п/п 77')?.[3]).toBe(600);
    expect(stRows.find((r) => String(r[1]).startsWith('Сальдо конечное'))?.slice(2, 4)).toEqual([1049.4, 0]);

    // Sales: by product and characteristic
    const sales = await me.call('POST', '/v1/documents', { type: 'sales', from, to: from });
    await waitDocument(me.call, sales.body.documentId);
    const salesRows = sheetRows(
      (await readWorkbook((await download(s, customerUser(me.id), `/v1/documents/${sales.body.documentId}/file`)).bytes)).worksheets[0]!,
    );
    expect(salesRows.find((r) => r[3] === 'FIN-S')).toEqual(['FIN', 'Колготки «Шёлк»', 'размер 3, чёрный', 'FIN-S', 6, 899.4]);
    expect(salesRows.find((r) => r[0] === 'Итого')?.slice(4, 6)).toEqual([9, 1649.4]);

    // Realizations report
    const rr = await me.call('POST', '/v1/documents', { type: 'realizations', from, to: from });
    await waitDocument(me.call, rr.body.documentId);
    const rrRows = sheetRows((await readWorkbook((await download(s, customerUser(me.id), `/v1/documents/${rr.body.documentId}/file`)).bytes)).worksheets[0]!);
    expect(rrRows.filter((r) => r[0] === realization.number).map((r) => [r[2], r[5], r[6], r[7]])).toEqual([
      ['FIN', 6, 149.9, 899.4],
      ['FIN', 3, 250, 750],
    ]);

    // Packing lists, three layouts
    const layouts = {
      'by-article': ['FIN', 'Колготки «Шёлк»', 'размер 3, чёрный', 6, '1, 2'],
      'box-nomenclature': [1, 'FIN', 'Колготки «Шёлк»', 4],
      'box-characteristic': [2, 'FIN', 'Колготки «Шёлк»', 'размер 3, чёрный', 2],
    };
    for (const [layout, expected] of Object.entries(layouts)) {
      const pl = await me.call('POST', '/v1/documents', { type: 'packing-lists', realizationIds: [realization.id], layout });
      expect(pl.status).toBe(202);
      expect(await waitDocument(me.call, pl.body.documentId)).toMatchObject({ status: 'ready' });
      const wb = await readWorkbook((await download(s, customerUser(me.id), `/v1/documents/${pl.body.documentId}/file`)).bytes);
      const rows = sheetRows(wb.worksheets[0]!);
      expect(wb.worksheets[0]!.name).toBe(realization.number);
      expect(rows, layout).toContainEqual(expected);
    }
    expect((await stranger.call('POST', '/v1/documents', { type: 'packing-lists', realizationIds: [realization.id], layout: 'by-article' })).status).toBe(404);
    expect((await me.call('POST', '/v1/documents', { type: 'packing-lists', realizationIds: [realization.id], layout: 'by-size' })).status).toBe(400);

    // Every requested document was emailed to the customer (notifications off) with its file.
    const docs = (await me.call('GET', '/v1/documents?limit=200')).body.items as { id: string; fileName: string }[];
    expect(docs).toHaveLength(9);
    for (const d of docs) await expect.poll(() => attachmentsOf(s, `document/${d.id}/ready`)?.files[0]?.filename, { timeout: 20_000 }).toBe(d.fileName);
  });

  it('refuses periods beyond the limit with period_too_long and a message to contact the manager', async () => {
    const me = await newCustomer(s);
    const longAgo = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);
    for (const type of ['sales', 'realizations']) {
      const r = await me.call('POST', '/v1/documents', { type, from: longAgo, to: today() });
      expect(r, type).toMatchObject({ status: 422, body: { code: 'period_too_long' } });
      expect(r.body.detail).toContain('обратитесь к вашему менеджеру');
    }
    expect((await me.call('POST', '/v1/documents', { type: 'settlements', from: longAgo, to: today() })).status).toBe(202);
    const tooOld = new Date(Date.now() - 370 * 86_400_000).toISOString().slice(0, 10);
    expect((await me.call('POST', '/v1/documents', { type: 'settlements', from: tooOld, to: today() })).body.code).toBe('period_too_long');
    expect((await me.call('POST', '/v1/documents', { type: 'sales', from: today(), to: longAgo })).status).toBe(400);
    expect((await me.call('GET', '/v1/documents')).body.items).toHaveLength(1);
  });
});

describe('payment orders', () => {
  it("stores an uploaded PDF and emails it to the customer's manager", async () => {
    const me = await newCustomer(s, { managerEmail: 'po-manager@supplier.example', notifications: false });
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]);
    const up = await upload(s, customerUser(me.id), '/v1/payment-orders', pdf, 'платёжка 15.pdf');
    expect(up.status).toBe(202);
    expect(up.headers.get('location')).toBe(`/v1/payment-orders/${up.body.id}`);
    await expect.poll(() => attachmentsOf(s, `payment-order/${up.body.id}`)?.to, { timeout: 20_000 }).toBe('po-manager@supplier.example');
    const mail = attachmentsOf(s, `payment-order/${up.body.id}`);
    expect(mail?.subject).toContain('Платёжное поручение');
    expect(mail?.files[0]).toMatchObject({ filename: 'платёжка 15.pdf' });
    expect(mail?.files[0]?.content.equals(pdf)).toBe(true);
    expect((await me.call('GET', `/v1/payment-orders/${up.body.id}`)).body).toMatchObject({ contentType: 'application/pdf', size: pdf.length });
    expect((await (await newCustomer(s)).call('GET', `/v1/payment-orders/${up.body.id}`)).status).toBe(404);
  });

  it('refuses files that are not PDF or images, and files over the limit, storing nothing', async () => {
    const me = await newCustomer(s);
    const exe = await upload(s, customerUser(me.id), '/v1/payment-orders', Buffer.from('MZ\x90\x00 fake exe'), 'order.pdf');
    expect(exe).toMatchObject({ status: 415, body: { code: 'unsupported_file' } });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
    expect((await upload(s, customerUser(me.id), '/v1/payment-orders', png, 'scan.png')).status).toBe(202);
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(11 * 1024 * 1024)]);
    expect(await upload(s, customerUser(me.id), '/v1/payment-orders', big, 'big.pdf')).toMatchObject({ status: 413, body: { code: 'file_too_large' } });
    const stored = await s.db.selectFrom('payment_orders').select('content_type').where('customer_id', '=', me.id).execute();
    expect(stored.map((r) => r.content_type)).toEqual(['image/png']);
  });
});

describe('a document that cannot be made', () => {
  it('is marked failed with its reason and the customer is told by email', async () => {
    const me = await newCustomer(s, { notifications: false });
    // A packing list of a realization that is gone by the time the workflow runs.
    const documentId = crypto.randomUUID();
    await s.db
      .insertInto('documents')
      .values({
        id: documentId,
        customer_id: me.id,
        type: 'packing-lists',
        params: JSON.stringify({ type: 'packing-lists', realizationIds: [crypto.randomUUID()], layout: 'by-article' }),
      })
      .execute();
    const result = await s.client.workflow.execute<typeof documentWorkflow>('documentWorkflow', {
      workflowId: `document/${documentId}`,
      taskQueue: s.config.temporal.taskQueue,
      args: [{ documentId, customerId: me.id, type: 'packing-lists' }],
    });
    expect(result).toEqual({ status: 'failed' });
    const doc = await me.call('GET', `/v1/documents/${documentId}`);
    expect(doc.body).toMatchObject({ status: 'failed', error: expect.any(String) });
    expect(doc.body.error.length).toBeGreaterThan(5);
    expect((await me.call('GET', `/v1/documents/${documentId}/file`)).status).toBe(409);
    await expect
      .poll(() => s.resend.emails.find((e) => e.key === `document/${documentId}/failed`)?.body.subject)
      .toBe('Упаковочные листы: документ не сформирован');
  });
});
