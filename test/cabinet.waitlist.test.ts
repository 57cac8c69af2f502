// The waitlist («Сообщить о поступлении») in Chromium, as the demo customer: an invoice line
// rejected for lack of stock → joining from the invoice → the waitlist page shows place 1; the
// warehouse raises the stock → the same page (no reload) shows the pieces held and until when;
// «В новый заказ» → an invoice with that line approved. A second entry from the catalog, a
// refusal when joining twice, «Убрать из листа»; the page on a 390-px phone.
// The waker that makes offers runs in the worker process, which the harness does not start: the
// test starts it. Screenshots to .data/artifacts/cabinet/wl-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moscowTime } from '../cabinet/layout.js';
import { createLogger } from '../runtime/logger.js';
import { startWaitlistWaker } from '../runtime/waitlist-waker.js';
import { CUSTOMER, PHONE, shotsFor, useCabinet } from './support/cabinet.js';
import { orderInvoice } from './support/scenario.js';

// Demo catalog (db/seed.ts); the test sets their stock itself.
const SCARCE = 'НС-Д05-20-MIX';
const GONE = 'НС-Д05-18-MIX';
const LATER = 'НС-Д05-16-MIX';

const shot = shotsFor('wl-');
const cab = useCabinet();
let waker: { stop(): Promise<void> } | undefined;
beforeAll(() => {
  waker = startWaitlistWaker({
    db: cab.s.db,
    temporal: cab.s.client,
    taskQueue: cab.s.config.temporal.taskQueue,
    holdMs: cab.s.config.waitlist.holdMs,
    logger: createLogger('silent', 'test'),
  });
});
afterAll(() => waker?.stop());

type Entry = { id: string; sku: string; status: string; held: number; position: number | null; holdUntil: string | null };
type Invoice = { id: string; lines: { sku: string; requested: number; approved: number; rejected: number }[] };

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const entryCard = (page: Page, sku: string) => page.locator('.wl-entry').filter({ hasText: sku });

describe('the waitlist in the cabinet', () => {
  it(
    'joins from a rejected invoice line, shows the offer without a reload, claims it into a new order; joins from the catalog and leaves',
    { timeout: 240_000 },
    async () => {
      const api = cab.api(CUSTOMER);
      const warehouse = cab.api('warehouse');
      const stock = (sku: string, onHand: number) => warehouse('PUT', `/v1/warehouse/stock/${encodeURIComponent(sku)}`, { onHand });
      const entryOf = async (sku: string) => ((await api('GET', '/v1/waitlist')).body.items as Entry[]).find((e) => e.sku === sku);

      // Only 2 on hand, 5 ordered: 3 rejected for lack of stock.
      expect((await stock(SCARCE, 2)).status).toBe(200);
      const invoice = (await orderInvoice(api, { [SCARCE]: 5 })).body as Invoice;
      expect(invoice.lines).toEqual([expect.objectContaining({ sku: SCARCE, approved: 2, rejected: 3 })]);

      const { context, page } = await cab.open();
      await cab.signIn(page);
      await page.goto(`${cab.base}/cabinet/invoices/${invoice.id}`);
      const join = page.getByRole('button', { name: `Сообщить о поступлении: Носки детские с рисунком (${SCARCE}), 3 шт.` });
      await join.click();
      const joined = page.locator('.wl-join output');
      await expect.poll(() => joined.innerText()).toContain('место в очереди 1');
      await shot(page, 'invoice-joined');
      expect(await entryOf(SCARCE)).toMatchObject({ status: 'waiting', position: 1, held: 0 });
      expect((await entryOf(SCARCE)) as unknown).toMatchObject({ quantity: 3, invoiceId: invoice.id });

      // The same line again from a fresh page (a new form, so not a replay): the API's refusal.
      await page.reload();
      await join.click();
      await expect.poll(() => joined.innerText()).toContain('Вы уже в листе ожидания');
      expect(await page.locator('.wl-join output [role=alert]').count()).toBe(1);
      await shot(page, 'invoice-refused');

      await page.getByRole('navigation').getByRole('link', { name: 'Лист ожидания' }).click();
      await page.getByRole('heading', { name: 'Лист ожидания', exact: true }).waitFor();
      const card = entryCard(page, SCARCE);
      expect(await card.innerText()).toContain('Ожидает поступления');
      expect(await card.innerText()).toContain('Место в очереди: 1');
      expect(await card.innerText()).toContain('3 шт.');
      // It says that it refreshes itself.
      expect(await page.getByText('Список обновляется сам').count()).toBe(1);
      await shot(page, 'waiting');

      // A mark on the window that a reload would wipe: the offer must arrive in this same document.
      await page.evaluate(() => Object.assign(window, { wlMark: 'same page' }));
      expect((await stock(SCARCE, 20)).status).toBe(200);
      await card.getByText('Товар отложен для вас').waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => (window as unknown as { wlMark?: string }).wlMark)).toBe('same page');
      const offered = await entryOf(SCARCE);
      expect(offered).toMatchObject({ status: 'offered', held: 3, holdUntil: expect.any(String) });
      expect(await card.innerText()).toContain(`Отложено для вас: 3 шт. до ${moscowTime(offered?.holdUntil)} (МСК)`);
      // The invoice it came from is offered first among the open ones.
      expect(await card.getByLabel('Счёт для товара «Носки детские с рисунком»').inputValue()).toBe(invoice.id);
      await shot(page, 'offered');
      // A poll that finds what the page shows answers 204: nothing is redrawn (the chosen invoice stays).
      const poll = (await page.locator('#waitlist').getAttribute('hx-get')) ?? '';
      expect(poll).toMatch(/^\/cabinet\/waitlist\/list\?v=/);
      expect((await page.request.get(`${cab.base}${poll}`)).status()).toBe(204);
      expect((await page.request.get(`${cab.base}/cabinet/waitlist/list?v=old`)).status()).toBe(200);

      // The phone: the offer fits 390 px, every control named.
      const phone = await cab.open(PHONE);
      await cab.signIn(phone.page);
      await phone.page.goto(`${cab.base}/cabinet/waitlist`);
      await phone.page.getByRole('button', { name: 'В новый заказ: Носки детские с рисунком' }).waitFor();
      await shot(phone.page, 'phone-offered');
      expect(await pageWidth(phone.page)).toBeLessThanOrEqual(390);
      await phone.context.close();

      await card.getByRole('button', { name: 'В новый заказ: Носки детские с рисунком' }).click();
      await page.waitForURL(/\/cabinet\/orders\/[0-9a-f-]{36}$/);
      const orderId = /\/orders\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
      await page.getByText('выставлен').waitFor({ timeout: 30_000 });
      await shot(page, 'claimed-order');
      const order = (await api('GET', `/v1/orders/${orderId}`)).body as { invoiceId: string };
      const claimed = (await api('GET', `/v1/invoices/${order.invoiceId}`)).body as Invoice;
      expect(claimed.id).not.toBe(invoice.id);
      expect(claimed.lines).toEqual([expect.objectContaining({ sku: SCARCE, requested: 3, approved: 3, rejected: 0 })]);
      expect(await entryOf(SCARCE)).toMatchObject({ status: 'claimed', held: 0 });

      // A second entry from the catalog: nothing available, 2 asked.
      expect((await stock(GONE, 0)).status).toBe(200);
      await page.goto(`${cab.base}/cabinet/catalog?q=${encodeURIComponent(GONE)}`);
      const product = page.locator('.product').filter({ hasText: GONE });
      expect(await product.innerText()).toContain('Нет в наличии');
      await product.getByLabel('Сколько ждёте').fill('2');
      await product.getByRole('button', { name: /^Сообщить о поступлении/ }).click();
      await expect.poll(() => product.locator('.wl-join output').innerText()).toContain('место в очереди 1');
      await shot(page, 'catalog-joined');
      expect(await entryOf(GONE)).toMatchObject({ status: 'waiting', position: 1 });
      expect((await entryOf(GONE)) as unknown).toMatchObject({ quantity: 2, invoiceId: null });

      await page.goto(`${cab.base}/cabinet/waitlist`);
      const second = entryCard(page, GONE);
      expect(await second.innerText()).toContain('Место в очереди: 1');
      expect(await entryCard(page, SCARCE).innerText()).toContain('Оформлен');
      await second.getByRole('button', { name: 'Убрать из листа: Носки детские с рисунком' }).click();
      await page.getByText('Запись убрана из листа ожидания.').waitFor();
      expect(await entryCard(page, GONE).innerText()).toContain('Отменён');
      expect(await entryOf(GONE)).toMatchObject({ status: 'cancelled' });
      // Nothing waits any more: the list stops refreshing itself.
      expect(await page.getByText('Список обновляется сам').count()).toBe(0);
      await shot(page, 'left');
      await context.close();
    },
  );
  it('«Добавить в счёт»: the held pieces join the open invoice the customer chose', { timeout: 120_000 }, async () => {
    const api = cab.api(CUSTOMER);
    const warehouse = cab.api('warehouse');
    const stock = (sku: string, onHand: number) => warehouse('PUT', `/v1/warehouse/stock/${encodeURIComponent(sku)}`, { onHand });
    expect((await stock(LATER, 0)).status).toBe(200);
    const open = (await orderInvoice(api, { [SCARCE]: 1 })).body as Invoice;
    const joined = await api('POST', '/v1/waitlist', { sku: LATER, quantity: 2, invoiceId: open.id });
    expect(joined.status).toBe(201);
    expect((await stock(LATER, 10)).status).toBe(200);

    const { context, page } = await cab.open();
    await cab.signIn(page);
    await page.goto(`${cab.base}/cabinet/waitlist`);
    const card = entryCard(page, LATER);
    await card.getByText('Товар отложен для вас').waitFor({ timeout: 30_000 });
    const chooser = card.getByLabel('Счёт для товара «Носки детские с рисунком»');
    // The invoice the entry was made for comes chosen; the choice is the customer's all the same.
    await chooser.selectOption(open.id);
    await card.getByRole('button', { name: 'Добавить в счёт: Носки детские с рисунком' }).click();
    await page.waitForURL(new RegExp(`/cabinet/invoices/${open.id}\\?notice=waitlist$`));
    await page.getByText('Отложенный товар из листа ожидания добавлен в счёт.').waitFor();
    await shot(page, 'claimed-invoice');
    const after = (await api('GET', `/v1/invoices/${open.id}`)).body as Invoice;
    expect(after.lines).toEqual(expect.arrayContaining([expect.objectContaining({ sku: LATER, requested: 2, approved: 2 })]));
    const entry = ((await api('GET', '/v1/waitlist')).body.items as Entry[]).find((e) => e.sku === LATER);
    expect(entry).toMatchObject({ status: 'claimed', held: 0 });
    await context.close();

    // On a phone: an out-of-stock card with its «Сообщить о поступлении» fits the screen.
    const phone = await cab.open(PHONE);
    await cab.signIn(phone.page);
    await phone.page.goto(`${cab.base}/cabinet/catalog?q=${encodeURIComponent(GONE)}`);
    await phone.page.getByRole('button', { name: /^Сообщить о поступлении: Носки детские с рисунком/ }).waitFor();
    await shot(phone.page, 'phone-catalog');
    expect(await pageWidth(phone.page)).toBeLessThanOrEqual(390);
    await phone.context.close();
  });
});
