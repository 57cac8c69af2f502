import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CART_LINES } from '../core/domain/limits.js';
import { addProduct, bearer, customerUser } from './support/fixtures.js';
import { newCustomer } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { readWorkbook, sheetRows } from './support/documents.js';
import { download, upload } from './support/documents-http.js';
import { zip } from './support/zip.js';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'OF-1', { priceKopecks: 14990, name: 'Колготки «Бархат»' });
  await addProduct(s.db, 'OF-2', { priceKopecks: 5000 });
  await addProduct(s.db, 'OF-3', { priceKopecks: 7000 });
});
afterAll(() => s.stop());

async function formFor(customerId: string): Promise<ExcelJS.Workbook> {
  const res = await download(s, customerUser(customerId), '/v1/catalog/order-form.xlsx');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
  return readWorkbook(res.bytes);
}

const cartOf = async (call: Awaited<ReturnType<typeof newCustomer>>['call']) =>
  Object.fromEntries(((await call('GET', '/v1/cart')).body.lines as { sku: string; quantity: number }[]).map((l) => [l.sku, l.quantity]));

describe('order form', () => {
  it('is generated from the catalog, one row per SKU with an empty quantity column', async () => {
    const me = await newCustomer(s);
    const ws = (await formFor(me.id)).worksheets[0]!;
    const rows = sheetRows(ws);
    const header = rows.findIndex((r) => r[0] === 'SKU');
    expect(rows[header]).toEqual(['SKU', 'Артикул', 'Наименование', 'Характеристика', 'Ед.', 'Цена, руб.', 'Штук в коробе', 'Доступно', 'Количество']);
    const row = rows.find((r) => r[0] === 'OF-1');
    expect(row?.slice(0, 8)).toEqual(['OF-1', 'OF', 'Колготки «Бархат»', 'размер 3, чёрный', 'шт', 149.9, 10, 100]);
    expect(row?.[8]).toBeUndefined();
    expect(ws.getRow(header + 1).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(rows.indexOf(row!) + 1).getCell(6).numFmt).toBe('#,##0.00');
  });

  it('fills the cart from the filled rows (setting quantities) and reports every invalid row in Russian', async () => {
    const me = await newCustomer(s);
    await me.call('PUT', '/v1/cart/items/OF-2', { quantity: 9 });
    await me.call('PUT', '/v1/cart/items/OF-3', { quantity: 4 });
    const wb = await formFor(me.id);
    const ws = wb.worksheets[0]!;
    const rows = sheetRows(ws);
    const rowOf = (sku: string) => rows.findIndex((r) => r[0] === sku) + 1;
    const qtyCol = 9;
    ws.getRow(rowOf('OF-1')).getCell(qtyCol).value = 5;
    ws.getRow(rowOf('OF-2')).getCell(qtyCol).value = '3'; // text digits are fine
    ws.getRow(rowOf('OF-3')).getCell(qtyCol).value = 0; // removes
    const extra = ws.rowCount + 1;
    ws.getRow(extra).values = ['NOPE-1', '', '', '', '', '', '', '', 2];
    ws.getRow(extra + 1).values = ['OF-1', '', '', '', '', '', '', '', 1.5];
    ws.getRow(extra + 2).values = ['OF-2', '', '', '', '', '', '', '', -1];
    ws.getRow(extra + 3).values = ['OF-1', '', '', '', '', '', '', '', 'много'];
    ws.getRow(extra + 4).values = ['', '', '', '', '', '', '', '', 7];
    ws.getRow(extra + 5).values = ['OF-1', '', '', '', '', '', '', '', 8];
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());

    const res = await upload(s, customerUser(me.id), '/v1/cart/upload', bytes, 'бланк.xlsx');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      added: 2,
      removed: 1,
      rejected: [
        { row: extra, sku: 'NOPE-1', reason: 'товара с таким SKU нет в каталоге' },
        { row: extra + 1, sku: 'OF-1', reason: 'количество должно быть целым числом штук' },
        { row: extra + 2, sku: 'OF-2', reason: 'количество не может быть отрицательным' },
        { row: extra + 3, sku: 'OF-1', reason: 'количество «много» — не число' },
        { row: extra + 4, reason: 'не указан SKU' },
        { row: extra + 5, sku: 'OF-1', reason: `SKU повторяется: уже указан в строке ${rowOf('OF-1')}` },
      ],
    });
    expect(await cartOf(me.call)).toEqual({ 'OF-1': 5, 'OF-2': 3 });
  });

  it(`refuses a form with more than ${MAX_CART_LINES} filled rows as a whole, with the count, cart unchanged`, async () => {
    const skus = Array.from({ length: MAX_CART_LINES + 1 }, (_, i) => `OF-MANY-${i}`);
    await s.db
      .insertInto('products')
      .values(skus.map((sku) => ({ sku, article: 'OF-MANY', name: sku, price_kopecks: 100, pieces_per_box: 1 })))
      .execute();
    const me = await newCustomer(s);
    await me.call('PUT', '/v1/cart/items/OF-2', { quantity: 9 });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Бланк');
    ws.addRow(['SKU', 'Количество']);
    for (const sku of skus) ws.addRow([sku, 1]);
    const res = await upload(s, customerUser(me.id), '/v1/cart/upload', Buffer.from(await wb.xlsx.writeBuffer()), 'бланк.xlsx');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'too_many_lines', detail: expect.stringContaining(`заполнено ${MAX_CART_LINES + 1} позиций`) });
    expect(await cartOf(me.call)).toEqual({ 'OF-2': 9 });
  });

  it('refuses hostile files fast with a code, changing nothing', async () => {
    const me = await newCustomer(s);
    await me.call('PUT', '/v1/cart/items/OF-2', { quantity: 2 });
    const user = customerUser(me.id);
    const cases: [string, Buffer, number, string][] = [
      ['CSV text', Buffer.from('SKU;Количество\nOF-1;5\n'), 415, 'unsupported_file'],
      [
        'zip bomb (declared sizes)',
        zip([
          { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
          { name: 'xl/workbook.xml', data: Buffer.alloc(100), declaredSize: 0xfffffff0 },
        ]),
        415,
        'unsupported_file',
      ],
      [
        'zip bomb (lying sizes)',
        zip([
          { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
          { name: 'xl/workbook.xml', data: Buffer.alloc(5_000_000), declaredSize: 100 },
        ]),
        415,
        'unsupported_file',
      ],
      [
        'macros',
        zip([
          { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
          { name: 'xl/workbook.xml', data: Buffer.from('<w/>') },
          { name: 'xl/vbaProject.bin', data: Buffer.from('x') },
        ]),
        415,
        'unsupported_file',
      ],
      [
        'too many rows',
        zip([
          { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
          { name: 'xl/workbook.xml', data: Buffer.from('<w/>') },
          { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<row r="1"/>'.repeat(20_001)) },
        ]),
        413,
        'file_too_large',
      ],
      ['too large', Buffer.alloc(3 * 1024 * 1024, 0x41), 413, 'file_too_large'],
    ];
    for (const [what, bytes, status, code] of cases) {
      const started = performance.now();
      const res = await upload(s, user, '/v1/cart/upload', bytes, 'x.xlsx');
      expect(res, what).toMatchObject({ status, body: { code } });
      expect(performance.now() - started, what).toBeLessThan(2000);
    }
    // A real workbook that is not an order form
    const other = new ExcelJS.Workbook();
    other.addWorksheet('Лист1').addRow(['что-то', 'ещё']);
    expect(await upload(s, user, '/v1/cart/upload', Buffer.from(await other.xlsx.writeBuffer()), 'x.xlsx')).toMatchObject({
      status: 415,
      body: { detail: expect.stringContaining('не бланк заказа') },
    });
    // A declared Content-Length over the limit is refused before the body is read
    const res = await s.app.request('/v1/cart/upload', {
      method: 'POST',
      headers: { ...(await bearer(user)), 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(50 * 1024 * 1024) },
      body: 'x',
    });
    expect(res.status).toBe(413);
    expect(await upload(s, user, '/v1/cart/upload', Buffer.alloc(0), 'x.xlsx')).toMatchObject({ status: 415 });
    expect(await cartOf(me.call)).toEqual({ 'OF-2': 2 });
  });
});
