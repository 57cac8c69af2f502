// The customer's invoices in Chromium: the order form downloaded, filled (with one bad row) and
// uploaded with its per-row report; checkout into an invoice; two invoices merged and the merge
// undone; a warehouse stock correction that makes an invoice «Изменен», its history and
// «Принять изменения»; the notifications switch; the inventory request's redirect to the
// documents page. Real PostgreSQL and Temporal; screenshots to .data/artifacts/cabinet/inv-*.png.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readWorkbook, sheetRows } from './support/documents.js';
import { upload } from './support/documents-http.js';
import { orderInvoice } from './support/scenario.js';
import { CUSTOMER, demoUser, DESKTOP, PHONE, shotsFor, useCabinet } from './support/cabinet.js';

// Demo catalog (db/seed.ts): plenty of each of these.
const PLENTY = 'КЛ-20-3-NUD';
const SECOND = 'НС-М01-25-GRY';
const THIRD = 'ЧЛ-15-3-4-WHT';

const shot = shotsFor('inv-');

const cab = useCabinet();

const badge = (page: Page) => page.locator('.badge').first().innerText();

describe('the customer’s invoices, merge, order form and settings in a browser', () => {
  it('order form → invoice; merge and undo; «Изменен» accepted; settings; inventory request', { timeout: 240_000 }, async () => {
    const api = cab.api(CUSTOMER);
    const warehouse = cab.api('warehouse');
    const { context, page } = await cab.open({ ...DESKTOP, acceptDownloads: true });
    await cab.signIn(page);

    // The order form: downloaded through the cabinet, with the API's type and file name.
    await page.getByRole('link', { name: 'Корзина', exact: true }).click();
    await page.getByText('Корзина пуста.').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать бланк заказа' }).click()]);
    expect(download.suggestedFilename()).toBe('Бланк заказа.xlsx');
    const workbook = await readWorkbook(await readFile(await download.path()));
    const sheet = workbook.worksheets[0]!;
    const rows = sheetRows(sheet);
    const rowOf = (sku: string) => rows.findIndex((r) => r[0] === sku) + 1;
    expect(rowOf(PLENTY)).toBeGreaterThan(0);
    sheet.getRow(rowOf(PLENTY)).getCell(9).value = 10;
    sheet.getRow(rowOf(SECOND)).getCell(9).value = 6;
    const bad = sheet.rowCount + 1;
    sheet.getRow(bad).values = ['НЕТ-ТАКОГО', '', '', '', '', '', '', '', 3];
    const folder = await mkdtemp(path.join(tmpdir(), 'inv-form-'));
    const file = path.join(folder, 'бланк.xlsx');
    await writeFile(file, Buffer.from(await workbook.xlsx.writeBuffer()));
    // The cabinet passes on the API's type and file name (the browser has only the cookie).
    const cookie = (await context.cookies()).find((c) => c.name === 'cabinet_token');
    const passed = await fetch(`${cab.base}/cabinet/cart/order-form.xlsx`, { headers: { Cookie: `cabinet_token=${cookie?.value ?? ''}` } });
    expect(passed.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(passed.headers.get('content-disposition')).toContain("filename*=UTF-8''%D0%91%D0%BB%D0%B0%D0%BD%D0%BA");

    // Not a spreadsheet: the API's reason is on the page, the cart is untouched.
    const notExcel = path.join(folder, 'заказ.xlsx');
    await writeFile(notExcel, 'SKU;Количество\nКЛ-20-3-NUD;5\n');
    const refused = await upload(cab.s, demoUser(CUSTOMER), '/v1/cart/upload', await readFile(notExcel), 'заказ.xlsx');
    expect(refused.status).toBe(415);
    await page.getByLabel('Заполненный бланк (.xlsx)').setInputFiles(notExcel);
    await page.getByRole('button', { name: 'Загрузить в корзину' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe(refused.body.detail);
    await page.getByText('Корзина пуста.').waitFor();
    await shot(page, '01a-upload-refused');

    // Uploaded in the browser: two rows in the cart, the bad row reported with its number and reason.
    await page.getByLabel('Заполненный бланк (.xlsx)').setInputFiles(file);
    await page.getByRole('button', { name: 'Загрузить в корзину' }).click();
    await page.getByRole('heading', { name: 'Бланк загружен' }).waitFor();
    expect(await page.getByRole('status').innerText()).toBe('Добавлено в корзину позиций: 2; не принято строк: 1.');
    const rejected = page.locator('table.rejected-rows tbody tr');
    expect(await rejected.count()).toBe(1);
    expect((await rejected.locator('td').allInnerTexts()).map((t) => t.trim())).toEqual([String(bad), 'НЕТ-ТАКОГО', 'товара с таким SKU нет в каталоге']);
    expect(await page.locator('table.lines tbody tr').count()).toBe(2);
    await shot(page, '01-order-form-uploaded');

    // Checkout into a new order → invoice A.
    await page.getByRole('button', { name: 'Оформить заказ' }).click();
    const open = page.getByRole('link', { name: /^Открыть счёт СЧ-/ });
    await open.waitFor({ timeout: 30_000 });
    await open.click();
    await page.getByRole('heading', { name: /^Счёт СЧ-/ }).waitFor();
    const a = { id: page.url().split('/').pop()!, number: (await page.getByRole('heading', { level: 1 }).innerText()).replace('Счёт ', '') };
    expect(await badge(page)).toBe('Подтвержден менеджером');
    // Its history: created by the system from the order.
    expect(await page.locator('table.history tbody').innerText()).toContain('Счёт выставлен по заказу');
    await shot(page, '02-invoice-from-form');

    // Invoice B through the API; both are merged on the list.
    const b = (await orderInvoice(api, { [THIRD]: 4 })).body as { id: string; number: string; status: string };
    expect(b.status).toBe('confirmed');
    await page.getByRole('link', { name: 'Счета', exact: true }).click();
    await page.getByLabel(`Объединить: счёт ${a.number}`).check();
    await page.getByLabel(`Объединить: счёт ${b.number}`).check();
    await shot(page, '03-merge-chosen');
    await page.getByRole('button', { name: 'Объединить выбранные' }).click();
    await page.getByText('Счета объединены в этот счёт').waitFor({ timeout: 30_000 });
    const merged = {
      id: page.url().split('/').pop()!.split('?')[0]!,
      number: (await page.getByRole('heading', { level: 1 }).innerText()).replace('Счёт ', ''),
    };
    expect(merged.number).not.toBe(a.number);
    expect(await badge(page)).toBe('Редактируется');
    const sources = await page.locator('.merged').innerText();
    expect(sources).toMatch(/^Счёт получен объединением счетов: /);
    for (const source of [a, b]) expect(sources).toContain(`${source.number} (Помечен на удаление)`);
    expect(await page.locator('table.lines tbody').first().innerText()).toContain(THIRD);
    await shot(page, '04-merged-invoice');

    // The sources on the list point at the new invoice.
    await page.getByRole('link', { name: 'Счета', exact: true }).click();
    for (const source of [a, b]) {
      const row = page.locator('#invoices tbody tr', { hasText: source.number });
      expect(await row.innerText()).toContain(`Помечен на удаление\nобъединён в счёт ${merged.number}`);
    }
    await shot(page, '05-sources-marked');
    await page.locator('#invoices tbody tr', { hasText: a.number }).getByRole('link', { name: merged.number }).click();
    await page.getByRole('heading', { name: `Счёт ${merged.number}` }).waitFor();

    // Undo: a second tab still offers it after the first one did it, and shows the API's refusal.
    const stale = await context.newPage();
    await stale.goto(page.url());
    await page.getByRole('button', { name: 'Отменить объединение' }).click();
    await page.getByText('Объединение отменено: исходные счета восстановлены').waitFor();
    for (const source of [a, b]) {
      expect(await page.locator('#invoices tbody tr', { hasText: source.number }).locator('.badge').innerText()).toBe('Подтвержден менеджером');
    }
    expect(await page.locator('#invoices tbody tr', { hasText: merged.number }).locator('.badge').innerText()).toBe('Удален');
    await shot(page, '06-merge-undone');
    expect((await api('GET', `/v1/invoices/${a.id}`)).body).toMatchObject({ status: 'confirmed', mergedInto: null });
    expect((await api('GET', `/v1/invoices/${merged.id}`)).body.status).toBe('deleted');
    await stale.getByRole('button', { name: 'Отменить объединение' }).click();
    await stale.getByRole('alert').waitFor();
    expect(await stale.getByRole('alert').innerText()).toBe('Объединение уже отменено: исходные счета восстановлены');
    await shot(stale, '07-unmerge-refused');
    await stale.close();

    // A merge the API refuses (B was cancelled meanwhile) shows its reason and changes nothing.
    await page.getByLabel(`Объединить: счёт ${a.number}`).check();
    await page.getByLabel(`Объединить: счёт ${b.number}`).check();
    const current = (await api('GET', `/v1/invoices/${b.id}`)).body as { version: number };
    expect((await api('POST', `/v1/invoices/${b.id}/cancel`, undefined, { 'If-Match': String(current.version) })).status).toBe(200);
    const key = await page.locator('#merge-key').inputValue();
    await page.getByRole('button', { name: 'Объединить выбранные' }).click();
    const refusal = page.locator('#merge-result').getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(new RegExp(`^Счёт ${b.number}: `));
    await shot(page, '07b-merge-refused');
    // The API keeps a refusal under its Idempotency-Key: the next try must carry a new one.
    expect(await page.locator('#merge-key').inputValue()).not.toBe(key);
    expect((await api('GET', `/v1/invoices/${a.id}`)).body.status).toBe('confirmed');

    // The warehouse finds less on hand than A holds: A's reservation is cut → «Изменен».
    const correction = await warehouse('PUT', `/v1/warehouse/stock/${encodeURIComponent(PLENTY)}`, { onHand: 4 });
    expect(correction.status).toBe(200);
    expect(correction.body.affectedInvoiceIds).toContain(a.id);
    await expect.poll(async () => (await api('GET', `/v1/invoices/${a.id}`)).body.status, { timeout: 20_000 }).toBe('changed');
    await page.goto(`${cab.base}/cabinet/invoices/${a.id}`);
    expect(await badge(page)).toBe('Изменен');
    const note = page.getByRole('region', { name: 'Что изменилось' });
    expect(await note.innerText()).toContain(`${PLENTY}: подтверждено 4 шт. вместо 10`);
    const history = await page.locator('table.history tbody').innerText();
    expect(history).toContain('Уменьшен остаток на складе');
    expect(history).toContain('Подтвержден менеджером → Изменен');
    expect(history).toContain('Объединён в другой счёт');
    expect(await page.getByRole('button', { name: 'Отправить счёт на подтверждение' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Отменить счёт' }).count()).toBe(1);
    await shot(page, '08-invoice-changed');
    await page.getByRole('button', { name: 'Принять изменения' }).click();
    await page.getByText('Изменения приняты: счёт проверен и подтверждён.').waitFor();
    expect(await badge(page)).toBe('Подтвержден менеджером');
    expect(await page.locator('table.history tbody').innerText()).toContain('Изменения приняты');
    expect((await api('GET', `/v1/invoices/${a.id}`)).body.status).toBe('confirmed');
    await shot(page, '09-changes-accepted');

    // Settings: the switch saved and read back through the API.
    expect((await api('GET', '/v1/settings')).body).toEqual({ emailNotifications: true });
    await page.getByRole('link', { name: 'Настройки' }).click();
    const email = page.getByLabel('Присылать письма о заказах и счетах');
    expect(await email.isChecked()).toBe(true);
    await email.uncheck();
    await page.getByRole('button', { name: 'Сохранить настройки' }).click();
    await page.getByText('Настройки сохранены.').waitFor();
    expect(await page.getByLabel('Присылать письма о заказах и счетах').isChecked()).toBe(false);
    expect((await api('GET', '/v1/settings')).body).toEqual({ emailNotifications: false });
    await shot(page, '10-settings-saved');

    // Inventory & certificates: offered once A is sent for shipment; the request leads to its document's page.
    await page.goto(`${cab.base}/cabinet/invoices/${a.id}`);
    expect(await page.getByRole('button', { name: 'Запросить опись и сертификаты' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Отправить счёт на отгрузку' }).click();
    await page.getByText('Счёт отправлен на отгрузку').waitFor();
    await shot(page, '11-inventory-offered');
    await page.getByRole('button', { name: 'Запросить опись и сертификаты' }).click();
    await expect.poll(() => page.url()).toMatch(new RegExp(`^${cab.base}/cabinet/documents/[0-9a-f-]{36}$`));
    const documentId = page.url().split('/').pop()!;
    expect((await api('GET', `/v1/documents/${documentId}`)).body).toMatchObject({ id: documentId, type: 'inventory' });
    await context.close();
  });

  it('on a phone: the cart with the order form and an invoice with its history fit the screen', { timeout: 120_000 }, async () => {
    const { context, page } = await cab.open(PHONE);
    await cab.signIn(page);
    const api = cab.api(CUSTOMER);
    const invoice = (await orderInvoice(api, { [SECOND]: 2 })).body as { id: string };
    await page.goto(`${cab.base}/cabinet/cart`);
    await page.getByRole('link', { name: 'Скачать бланк заказа' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '12-phone-cart');
    await page.goto(`${cab.base}/cabinet/invoices/${invoice.id}`);
    await page.getByRole('heading', { name: 'История счёта' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '13-phone-invoice');
    await context.close();
  });
});
