// Answering a «Изменен» invoice line by line in Chromium, as the demo customer: a stock correction
// cuts one line and the demo customer's manager changes another with a comment; the page shows
// each change (before → after, who, why, when); removing every line is refused with the API's
// reason; one line kept and one removed → «Подтвержден менеджером» with one line, as the API says;
// the same form sent again is the same answer (its Idempotency-Key). Also on a 390-px phone.
// Screenshots to .data/artifacts/cabinet/ans-*.png.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { moscowTime, rub } from '../cabinet/layout.js';
import { stockOf } from './support/fixtures.js';
import { orderInvoice } from './support/scenario.js';
import { CUSTOMER, PHONE, shotsFor, useCabinet } from './support/cabinet.js';

// Demo catalog (db/seed.ts): plenty of each of these.
const PLENTY = 'КЛ-20-3-NUD';
const SECOND = 'НС-М01-25-GRY';
const THIRD = 'ЧЛ-15-3-4-WHT';

const shot = shotsFor('ans-');

type Line = { sku: string; approved: number; change: { reason: string; at: string } | null };
type Invoice = { id: string; status: string; lines: Line[] };

const cab = useCabinet();

const badge = (page: Page) => page.locator('.badge').first().innerText();
const changes = (page: Page) => page.getByRole('region', { name: 'Что изменилось' });
/** A changed line's card: its legend names the line, ending with the SKU in brackets. */
const card = (page: Page, sku: string) => changes(page).getByRole('group', { name: `(${sku})` });
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('answering a change line by line in the cabinet', () => {
  it('shows each change, refuses removing everything, keeps one line and removes the other', { timeout: 180_000 }, async () => {
    const api = cab.api(CUSTOMER);
    // The demo customer's own manager (db/seed.ts: DEMO_MANAGER_EMAIL).
    const manager = cab.api('manager');
    const warehouse = cab.api('warehouse');
    const invoice = (await orderInvoice(api, { [PLENTY]: 6, [THIRD]: 5 })).body as Invoice;
    expect(invoice.status).toBe('confirmed');

    // The warehouse finds 2 on hand: the invoice's THIRD is cut to 2 → «Изменен».
    const correction = await warehouse('PUT', `/v1/warehouse/stock/${encodeURIComponent(THIRD)}`, { onHand: 2 });
    expect(correction.body.affectedInvoiceIds).toContain(invoice.id);
    await expect.poll(async () => (await api('GET', `/v1/invoices/${invoice.id}`)).body.status, { timeout: 20_000 }).toBe('changed');
    // Then the manager lowers PLENTY with a comment.
    const comment = 'Осталось 4 пары этого размера, остальное придёт через неделю';
    const adjusted = await manager('POST', `/v1/manager/invoices/${invoice.id}/lines`, { lines: [{ sku: PLENTY, quantity: 4 }], comment });
    expect(adjusted.status).toBe(200);
    const changed = (await api('GET', `/v1/invoices/${invoice.id}`)).body as Invoice;
    const changeOf = (sku: string) => changed.lines.find((l) => l.sku === sku)?.change;
    expect(changeOf(PLENTY)).toMatchObject({ by: 'manager', reason: comment });
    expect(changeOf(THIRD)).toMatchObject({ by: 'stock' });

    const { context, page } = await cab.open();
    await cab.signIn(page);
    await page.goto(`${cab.base}/cabinet/invoices/${invoice.id}`);
    expect(await badge(page)).toBe('Изменен');

    // Each changed line: before → after, who, why (the API's own reason), when.
    const managed = await card(page, PLENTY).innerText();
    expect(managed).toContain('6 шт. → 4 шт.');
    expect(managed).toContain(`${rub('149.90')} (без изменений)`);
    expect(managed).toContain('менеджер');
    expect(managed).toContain(comment);
    expect(managed).toContain(`${moscowTime(changeOf(PLENTY)?.at)} (МСК)`);
    const cut = await card(page, THIRD).innerText();
    expect(cut).toContain('5 шт. → 2 шт.');
    expect(cut).toContain('остаток на складе');
    expect(cut).toContain(changeOf(THIRD)?.reason ?? 'no reason');
    expect(cut).toContain(`${moscowTime(changeOf(THIRD)?.at)} (МСК)`);
    expect(await page.locator('table.lines .changed-mark').count()).toBe(2);
    // The quick path is still there.
    expect(await page.getByRole('button', { name: 'Принять изменения' }).count()).toBe(1);
    await shot(page, '01-changed');

    // Removing every line: the API refuses, and the page says so in the API's words.
    const everything = { lines: [PLENTY, THIRD].map((sku) => ({ sku, answer: 'remove' })) };
    const refusal = await api('POST', `/v1/invoices/${invoice.id}/answer-changes`, everything);
    expect(refusal.status).toBe(400);
    expect(refusal.body.detail).toContain('чтобы удалить счёт, отмените его');
    for (const sku of [PLENTY, THIRD]) await card(page, sku).getByLabel('Убрать из счёта').check();
    await page.getByRole('button', { name: 'Ответить по позициям' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe(refusal.body.detail);
    // The customer's choices are still on the page, nothing changed.
    for (const sku of [PLENTY, THIRD]) expect(await card(page, sku).getByLabel('Убрать из счёта').isChecked()).toBe(true);
    expect((await api('GET', `/v1/invoices/${invoice.id}`)).body.status).toBe('changed');
    await shot(page, '02-remove-all-refused');

    // Keep PLENTY as changed, remove THIRD.
    await card(page, PLENTY).getByLabel('Оставить как изменено').check();
    await card(page, THIRD).getByLabel('Убрать из счёта').check();
    const sent = await page
      .locator('form.line-changes')
      .evaluate((form: HTMLFormElement) => [...new FormData(form)].map(([k, v]) => [k, typeof v === 'string' ? v : '']));
    await page.getByRole('button', { name: 'Ответить по позициям' }).click();
    await page.getByText('Ответ по позициям принят').waitFor();
    expect(await badge(page)).toBe('Подтвержден менеджером');
    expect(await page.locator('table.lines tbody tr').allInnerTexts()).toEqual([expect.stringContaining(PLENTY)]);
    expect(await changes(page).count()).toBe(0);
    const history = await page.locator('table.history tbody').innerText();
    expect(history).toContain('Ответ по изменённым позициям');
    expect(history).toContain(`${THIRD}: убрана из счёта`);
    await shot(page, '03-answered');

    // The API agrees: confirmed, one line, no marks; THIRD's stock released.
    const answered = (await api('GET', `/v1/invoices/${invoice.id}`)).body as Invoice;
    expect(answered.status).toBe('confirmed');
    expect(answered.lines.map((l) => [l.sku, l.approved, l.change])).toEqual([[PLENTY, 4, null]]);
    expect(await stockOf(cab.s.db, THIRD)).toMatchObject({ reserved: 0, reservationsSum: 0 });

    // The same form sent again (a double click, a resent page) carries the same Idempotency-Key:
    // the API replays its first answer instead of refusing an answered invoice.
    const again = await page.evaluate(
      async ({ url, fields }) => {
        const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
        return { status: res.status, url: res.url };
      },
      { url: `/cabinet/invoices/${invoice.id}/answer`, fields: sent },
    );
    expect(again).toEqual({ status: 200, url: `${cab.base}/cabinet/invoices/${invoice.id}?notice=answered-removed` });
    const entries = (await api('GET', `/v1/invoices/${invoice.id}/history`)).body as { action: string }[];
    expect(entries.filter((e) => e.action === 'answer_changes')).toHaveLength(1);
    await context.close();
  });

  it('on a phone: one changed line among two, answered, without sideways scroll', { timeout: 120_000 }, async () => {
    const api = cab.api(CUSTOMER);
    const manager = cab.api('manager');
    const invoice = (await orderInvoice(api, { [SECOND]: 3, [PLENTY]: 2 })).body as Invoice;
    const comment = 'Новая цена поставщика с 1 декабря; количество уменьшено до остатка на складе в Москве';
    const adjusted = await manager('POST', `/v1/manager/invoices/${invoice.id}/lines`, { lines: [{ sku: SECOND, quantity: 2, price: '59.90' }], comment });
    expect(adjusted.status).toBe(200);

    const { context, page } = await cab.open(PHONE);
    await cab.signIn(page);
    await page.goto(`${cab.base}/cabinet/invoices/${invoice.id}`);
    const only = await card(page, SECOND).innerText();
    expect(only).toContain('3 шт. → 2 шт.');
    expect(only).toContain(`${rub('65.00')} → ${rub('59.90')}`);
    expect(only).toContain(comment);
    // The unchanged line shows nothing extra: no card, no mark.
    expect(await changes(page).getByRole('group').count()).toBe(1);
    expect(await page.locator('table.lines tbody tr', { hasText: PLENTY }).locator('.changed-mark').count()).toBe(0);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await shot(page, '04-phone-changed');

    // Lowered 3 → 2: keep the 2 and wait for the missing one (the waitlist).
    expect(await card(page, SECOND).getByRole('radio').count()).toBe(3);
    await card(page, SECOND).getByLabel('Оставить и дождаться остального').check();
    await page.getByRole('button', { name: 'Ответить по позициям' }).click();
    await page.getByText('недостающее — в листе ожидания').waitFor();
    expect(await badge(page)).toBe('Подтвержден менеджером');
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await shot(page, '05-phone-answered');
    const answered = (await api('GET', `/v1/invoices/${invoice.id}`)).body as Invoice;
    expect(answered.lines.map((l) => [l.sku, l.approved]).sort()).toEqual(
      [
        [PLENTY, 2],
        [SECOND, 2],
      ].sort(),
    );
    expect(answered.status).toBe('confirmed');
    const waiting = (await api('GET', '/v1/waitlist')).body.items as { sku: string; quantity: number; invoiceId: string }[];
    expect(waiting.filter((w) => w.invoiceId === invoice.id).map((w) => [w.sku, w.quantity])).toEqual([[SECOND, 1]]);
    await context.close();
  });
});
