// The staff's cabinet in Chromium: the demo customer orders and sends invoices for shipment
// through the API; then the warehouse signs in, finds the invoice among those to pick and steps it
// to «Отгружен» (a stale page's step is refused with the API's Russian reason), and the manager
// changes a line of another invoice with a comment. Real PostgreSQL and Temporal; screenshots to
// .data/artifacts/cabinet/staff-*.png (git-ignored).
import { describe, expect, it } from 'vitest';
import { orderInvoice } from './support/scenario.js';
import { CUSTOMER, shotsFor, useCabinet } from './support/cabinet.js';

const PLENTY = 'КЛ-20-3-NUD';

const shot = shotsFor('staff-');

const cab = useCabinet();

describe('the staff cabinet in a browser', () => {
  it('warehouse steps an invoice to shipped (a stale step is refused); manager changes a line with a comment', { timeout: 180_000 }, async () => {
    const customer = cab.api(CUSTOMER);
    const warehouseApi = cab.api('warehouse');
    // Setup through the API: one invoice sent for shipment, one left waiting on the customer.
    const toShip = (await orderInvoice(customer, { [PLENTY]: 5 })).body;
    expect(toShip.status).toBe('confirmed');
    expect((await customer('POST', `/v1/invoices/${toShip.id}/ship`, undefined, { 'If-Match': String(toShip.version) })).status).toBe(200);
    const toChange = (await orderInvoice(customer, { [PLENTY]: 7 })).body;
    // Only the warehouse reads invoices through its routes; the customer's draft is not among them.
    expect((await customer('GET', '/v1/warehouse/invoices')).status).toBe(403);
    expect((await warehouseApi('GET', `/v1/warehouse/invoices/${toChange.id}`)).status).toBe(404);

    const { context, page } = await cab.open();

    // Warehouse: its own menu (no cart, no catalog), the invoice among those to pick.
    await cab.signIn(page, 'warehouse', 'Счета к сборке');
    const nav = page.getByRole('navigation', { name: 'Разделы кабинета' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['К сборке', 'Отгруженные', 'Остатки']);
    await shot(page, '01-warehouse-list');
    await page.getByRole('link', { name: toShip.number }).click();
    await page.getByRole('heading', { name: `Счёт ${toShip.number}` }).waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Отправлен на отгрузку');
    expect(await page.locator('table.lines tbody').innerText()).toContain(PLENTY);

    await page.getByRole('button', { name: 'Принять на склад' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.locator('.badge').innerText()).toBe('На склад');
    await shot(page, '02-to-warehouse');

    // A second worker assembles it meanwhile: this page's "Собран" is stale and is refused.
    const current = await warehouseApi('GET', `/v1/warehouse/invoices/${toShip.id}`);
    const other = await warehouseApi(
      'POST',
      `/v1/warehouse/invoices/${toShip.id}/status`,
      { status: 'assembled' },
      { 'If-Match': String(current.body.version) },
    );
    expect(other.status).toBe(200);
    await page.getByLabel(/^Коробки/).fill(`1 ${PLENTY} 5`);
    await page.getByRole('button', { name: 'Собран' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/^Счёт изменился \(версия \d+, а не \d+\): обновите его/);
    expect(await page.locator('.badge').innerText()).toBe('Собран');
    await shot(page, '03-stale-refused');

    await page.getByRole('button', { name: 'Отгружен' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Отгружен');
    expect(await page.getByRole('button').allInnerTexts()).toEqual(['Выйти']);
    await shot(page, '04-shipped');
    await page.goto(`${cab.base}/cabinet/warehouse?queue=shipped`);
    expect(await page.locator('#invoices').innerText()).toContain(toShip.number);

    // Stock correction: the API's answer is shown.
    await page.getByRole('link', { name: 'Остатки' }).click();
    await page.getByLabel('Артикул (SKU)').fill(PLENTY);
    await page.getByLabel('Фактический остаток, шт.').fill('500');
    await page.getByRole('button', { name: 'Сохранить остаток' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(new RegExp(`^Остаток ${PLENTY}: на складе 500, в резерве \\d+`));
    await shot(page, '05-stock');

    // Manager: the customers' invoices, a line changed with a comment → «Изменен».
    await page.getByRole('button', { name: 'Выйти' }).click();
    await cab.signIn(page, 'manager', 'Счета');
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Счета клиентов', 'Каталог']);
    await page.getByRole('link', { name: toChange.number }).click();
    await page.getByRole('heading', { name: `Счёт ${toChange.number}` }).waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Подтвержден менеджером');
    await page.getByLabel(`Количество: ${PLENTY}`).fill('4');
    await shot(page, '06-manager-change');
    // The comment is required: the browser holds the form until it is written.
    await page.getByLabel('Комментарий для клиента (обязательно)').fill('Осталось 4 пары в этом размере');
    await page.getByRole('button', { name: 'Изменить счёт' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Изменен');
    // The customer's hints are the customer's: the manager does not read «не по вашей инициативе».
    expect(await page.getByText('не по вашей инициативе').count()).toBe(0);
    expect(await page.getByLabel(`Количество: ${PLENTY}`).inputValue()).toBe('4');
    await shot(page, '07-manager-changed');

    // The customer's payment, registered once even when the same bank reference is entered again.
    for (const expected of ['Оплата зарегистрирована', 'уже зарегистрирована']) {
      await page.getByLabel('Сумма оплаты, ₽').fill('599,60');
      await page.getByLabel('Платёжное поручение (номер и дата)').fill('п/п 77 от 30.11.2026');
      await page.getByRole('button', { name: 'Зарегистрировать оплату' }).click();
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').innerText()).toContain(expected);
    }
    await shot(page, '08-manager-payment');
    const payments = await cab.s.db.selectFrom('payments').select(['amount_kopecks']).execute();
    expect(payments.map((p) => p.amount_kopecks)).toEqual(['59960']);
    const history = await customer('GET', `/v1/invoices/${toChange.id}/history`);
    expect(JSON.stringify(history.body)).toContain('Осталось 4 пары в этом размере');
    await context.close();
  });
});
