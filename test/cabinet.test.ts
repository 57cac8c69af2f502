// The customer cabinet in Chromium: a person signs in, finds goods, orders from the cart, watches
// the order become an invoice without reloading, edits it to a draft, sends it for confirmation and
// for shipment, and sees a refused action's Russian reason. The app is served over a real port on
// the test stack (real PostgreSQL, real Temporal); screenshots of each step go to
// .data/artifacts/cabinet/ (git-ignored).
import { describe, expect, it } from 'vitest';
import { signToken } from '../api/auth.js';
import { demoSignIn } from '../api/demo-users.js';
import { DEMO_CUSTOMERS } from '../db/seed.js';
import { loadConfig } from '../runtime/config.js';
import { TEST_SECRET } from './support/fixtures.js';
import { CUSTOMER, holdLock, PHONE, shot, useCabinet } from './support/cabinet.js';

// Demo catalog (db/seed.ts): plenty of КЛ-20-3-NUD; only 12 of КЛ-20-2-BLK.
const PLENTY = 'КЛ-20-3-NUD';
const SCARCE = 'КЛ-20-2-BLK';

const cab = useCabinet();

/** Holds the stock row of `sku` locked (as a slow stock check would), until `release` is called. */
const lockStock = (sku: string) => holdLock(cab.s.db, (trx) => trx.selectFrom('stock').select('sku').where('sku', '=', sku).forUpdate().execute());

describe('the customer cabinet in a browser', () => {
  it('walks the customer guide: catalog → cart → order → invoice → draft → confirmed → shipment, and shows a refusal', { timeout: 180_000 }, async () => {
    const { context, page } = await cab.open();

    // Sign-in: a button per demo user.
    await page.goto(`${cab.base}/cabinet`);
    await expect.poll(() => page.url()).toBe(`${cab.base}/cabinet/login`);
    await shot(page, '01-login');
    await page.getByRole('button', { name: 'Войти: customer (ООО «Ромашка»)' }).click();
    await page.getByRole('heading', { name: 'Каталог' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'cabinet_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/cabinet' });

    // Search narrows the catalog without a reload (htmx), and the address keeps the query.
    await page.getByLabel('Поиск по артикулу, названию или характеристике').fill('КЛ-20');
    await expect.poll(() => page.url()).toContain('q=');
    const cards = page.locator('#results li.product');
    await expect.poll(async () => (await cards.allInnerTexts()).every((t) => t.includes('КЛ-20'))).toBe(true);
    expect(await cards.count()).toBe(9);
    await shot(page, '02-catalog-search');

    // Two products into the cart, each with its quantity.
    for (const [sku, quantity] of [
      [PLENTY, '30'],
      [SCARCE, '20'],
    ] as const) {
      const card = cards.filter({ hasText: sku });
      await card.getByLabel('Количество').fill(quantity);
      await card.getByRole('button', { name: /^В корзину/ }).click();
      await card.getByText(`В корзине: ${quantity}`).waitFor();
    }
    await shot(page, '03-catalog-added');

    await page.getByRole('link', { name: 'Корзина', exact: true }).click();
    await page.getByRole('heading', { name: 'Корзина' }).waitFor();
    expect(await page.locator('table.lines tbody tr').count()).toBe(2);
    await expect.poll(() => page.locator('tfoot').innerText()).toContain('7\u00a0495,00\u00a0₽');
    await shot(page, '04-cart');

    // Checkout while the stock check is held up: the page shows the wait, then the invoice, without a reload.
    const lock = lockStock(SCARCE);
    await lock.isLocked;
    await page.getByRole('button', { name: 'Оформить заказ' }).click();
    await page.getByText('Проверяем наличие…').waitFor();
    await page.evaluate(() => ((window as any).samePage = true));
    await shot(page, '05-order-checking');
    await lock.release();
    const open = page.getByRole('link', { name: /^Открыть счёт СЧ-/ });
    await open.waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as any).samePage)).toBe(true);
    expect(await page.locator('#progress').innerText()).toContain('Подтвержден менеджером');
    await shot(page, '06-order-invoiced');

    // The invoice with its lines: one approved in full, one partly rejected for lack of stock.
    await open.click();
    await page.getByRole('heading', { name: /^Счёт СЧ-/ }).waitFor();
    const invoiceUrl = page.url();
    const row = (sku: string) => page.locator('table.lines tbody tr', { hasText: sku });
    expect(await page.locator('.badge').innerText()).toBe('Подтвержден менеджером');
    /** [requested (an input while editable), approved, rejected with its reason] */
    const quantities = async (sku: string) => {
      const cells = row(sku).locator('td');
      return [await cells.nth(2).getByRole('spinbutton').inputValue(), await cells.nth(3).innerText(), (await cells.nth(4).innerText()).replace(/\s+/g, ' ')];
    };
    expect(await quantities(SCARCE)).toEqual(['20', '12', '8 нет на складе']);
    expect(await quantities(PLENTY)).toEqual(['30', '30', '0']);
    await shot(page, '07-invoice-confirmed');

    // Edit a quantity and save: the invoice becomes a draft ("Редактируется").
    await page.getByLabel(`Количество: Колготки женские 20 den, размер 3, телесный (${PLENTY})`).fill('25');
    await page.getByRole('button', { name: 'Сохранить изменения' }).click();
    await page.getByText('Изменения сохранены').waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Редактируется');
    expect(await page.getByRole('button', { name: 'Отправить счёт на отгрузку' }).count()).toBe(0);
    await shot(page, '08-invoice-draft');

    // Send for confirmation → confirmed again, and now it may be shipped.
    await page.getByRole('button', { name: 'Отправить счёт на подтверждение' }).click();
    await page.getByText('Счёт проверен и подтверждён.').waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Подтвержден менеджером');

    // A second tab shows the invoice as it is now; the first one ships it.
    const stale = await context.newPage();
    await stale.goto(invoiceUrl);
    await page.getByRole('button', { name: 'Отправить счёт на отгрузку' }).click();
    await page.getByText('Счёт отправлен на отгрузку: изменить его больше нельзя.').waitFor();
    expect(await page.locator('.badge').innerText()).toBe('Отправлен на отгрузку');
    expect(await page.getByRole('button', { name: 'Отменить счёт' }).count()).toBe(0);
    await shot(page, '09-invoice-shipment');

    // The stale tab still offers "cancel": the API refuses, and its Russian reason is on screen.
    await stale.getByLabel('Да, удалить счёт и снять резерв').check();
    await stale.getByRole('button', { name: 'Отменить счёт' }).click();
    const alert = stale.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/^Счёт изменился \(версия \d+, а не \d+\): обновите его и повторите действие$/);
    expect(await stale.locator('.badge').innerText()).toBe('Отправлен на отгрузку');
    await shot(stale, '10-refused-cancel');

    // The invoices list, filtered by status, with Russian labels.
    await page.getByRole('link', { name: 'Счета' }).click();
    await page.getByLabel('Статус').selectOption({ label: 'Отправлен на отгрузку' });
    await expect.poll(() => page.url()).toContain('status=shipment_confirmed');
    await expect.poll(() => page.locator('#invoices tbody tr').count()).toBe(1);
    await page.getByLabel('Статус').selectOption({ label: 'Редактируется' });
    await page.getByText('Нет счетов в статусе «Редактируется».').waitFor();
    await page.getByLabel('Статус').selectOption({ label: 'Отправлен на отгрузку' });
    await expect.poll(() => page.locator('#invoices tbody tr').count()).toBe(1);
    await shot(page, '11-invoices-filtered');

    // Sign-out ends the session: the cart sends the browser back to the sign-in page.
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.goto(`${cab.base}/cabinet/cart`);
    await expect.poll(() => page.url()).toBe(`${cab.base}/cabinet/login?next=${encodeURIComponent('/cabinet/cart')}`);
    await context.close();
  });

  it('on a phone: the portal’s token signs in once, and the catalog fits the screen', async () => {
    const { context, page } = await cab.open(PHONE);
    const token = await signToken(TEST_SECRET, { sub: 'portal-user', role: 'customer', customerId: DEMO_CUSTOMERS[1].id });
    await page.goto(`${cab.base}/cabinet/login?token=${token}`);
    await page.getByRole('heading', { name: 'Каталог' }).waitFor();
    // The token left the address bar: it lives in the HttpOnly cookie now.
    expect(page.url()).toBe(`${cab.base}/cabinet/catalog`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '12-phone-catalog', false);
    // A wide table scrolls in its own box; its hidden screen-reader text must not widen the page.
    await page
      .getByRole('button', { name: /^В корзину/ })
      .first()
      .click();
    await page.locator('output.added', { hasText: 'В корзине' }).first().waitFor();
    await page.goto(`${cab.base}/cabinet/cart`);
    await page.getByRole('heading', { name: 'Корзина' }).waitFor();
    expect(await page.locator('table.lines tbody tr').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '13-phone-cart', false);
    // This customer's cart is the next test's: left empty.
    await page.getByRole('button', { name: /^Удалить/ }).click();
    await page.getByText(/Корзина пуста/).waitFor();
    await context.close();
  });

  it('adds the cart to a chosen open invoice ("добавить товары в счёт")', async () => {
    const { context, page } = await cab.open();
    const token = await signToken(TEST_SECRET, { sub: 'portal-user-2', role: 'customer', customerId: DEMO_CUSTOMERS[1].id });
    await page.goto(`${cab.base}/cabinet/login?token=${token}`);
    const add = async (sku: string, quantity: string) => {
      await page.goto(`${cab.base}/cabinet/catalog?q=${encodeURIComponent(sku)}`);
      const card = page.locator('li.product', { hasText: sku });
      await card.getByLabel('Количество').fill(quantity);
      await card.getByRole('button', { name: /^В корзину/ }).click();
      await card.getByText(`В корзине: ${quantity}`).waitFor();
    };
    await add('НС-М01-25-GRY', '10');
    await page.goto(`${cab.base}/cabinet/cart`);
    await page.getByRole('button', { name: 'Оформить заказ' }).click();
    const open = page.getByRole('link', { name: /^Открыть счёт СЧ-/ });
    await open.waitFor({ timeout: 30_000 });
    const number = (await open.innerText()).replace('Открыть счёт ', '');

    await add('ЧЛ-15-3-4-WHT', '4');
    await page.goto(`${cab.base}/cabinet/cart`);
    await page.getByLabel(new RegExp(`Добавить товары в счёт ${number} \\(Подтвержден менеджером`)).check();
    await shot(page, '13-cart-into-invoice');
    await page.getByRole('button', { name: 'Оформить заказ' }).click();
    await page.getByText('Товары из корзины добавлены в счёт').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Счёт ${number}`);
    expect(await page.locator('table.lines tbody tr').count()).toBe(2);
    expect(await page.locator('table.lines tbody').innerText()).toContain('ЧЛ-15-3-4-WHT');
    await page.goto(`${cab.base}/cabinet/cart`);
    await page.getByText('Корзина пуста.').waitFor();
    await context.close();
  });

  it('a link opened signed out (the «Товар поступил» email) lands there after signing in; never on another site', async () => {
    const { context, page } = await cab.open({});
    await page.goto(`${cab.base}/cabinet/waitlist?from=email`);
    expect(new URL(page.url()).pathname).toBe('/cabinet/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/cabinet/waitlist?from=email');
    await page.getByRole('button', { name: `Войти: ${CUSTOMER}` }).click();
    await page.getByRole('heading', { name: 'Лист ожидания' }).waitFor();
    expect(page.url()).toBe(`${cab.base}/cabinet/waitlist?from=email`);
    await context.clearCookies();
    // A crafted next= that leaves the cabinet is ignored: home instead.
    for (const next of ['//evil.example/x', 'https://evil.example', '/cabinet/../v1/cart', '/cabinet/logout']) {
      await page.goto(`${cab.base}/cabinet/login?next=${encodeURIComponent(next)}`);
      await page.getByRole('button', { name: `Войти: ${CUSTOMER}` }).click();
      await page.getByRole('heading', { name: 'Каталог' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/cabinet/catalog');
      await context.clearCookies();
    }
    await context.close();
  });

  it('refuses a form post from another site, a bad token, and demo sign-in outside development', async () => {
    const { context, page } = await cab.open({});
    await cab.signIn(page, 'customer (ИП Васильева)');
    const cookie = (await context.cookies()).find((c) => c.name === 'cabinet_token');
    const post = (headers: Record<string, string>) =>
      fetch(`${cab.base}/cabinet/cart/clear`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: `cabinet_token=${cookie?.value}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: '',
      });
    expect((await post({ Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    expect((await post({ Origin: cab.base })).status).toBe(303);
    const unknown = await fetch(`${cab.base}/cabinet/no-such-page`, { headers: { Cookie: `cabinet_token=${cookie?.value}` } });
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([404, 'text/html; charset=UTF-8']);

    await page.goto(`${cab.base}/cabinet/login?token=not-a-token`);
    expect(await page.getByRole('alert').innerText()).toBe('Токен недействителен или истёк');
    await context.close();

    // Outside development the API hands out no demo tokens.
    expect(demoSignIn(loadConfig({ AUTH_JWT_SECRET: TEST_SECRET }))).toBeUndefined();
    expect(demoSignIn(loadConfig({ AUTH_JWT_SECRET: TEST_SECRET, APP_ENV: 'development' }))?.labels).toHaveLength(5);
    // The cabinet is no part of the API's contract.
    expect(JSON.stringify(await (await fetch(`${cab.base}/openapi.json`)).json())).not.toContain('/cabinet');
  });
});
