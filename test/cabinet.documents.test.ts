// The customer's documents and money in Chromium: a shipped realization (set up through the API:
// checkout → ship → warehouse steps) gets a payment invoice and a packing list from the
// realizations page; a payment invoice for an amount is watched on its page while it is made (held
// pending by a row lock, so the waiting state is seen for sure) until the download appears; a
// payment order is uploaded and reaches the manager; a too-long report period is refused with the
// API's reason; a receivables report is made and downloaded; the files list filters by type; a
// failed document shows its reason.
// Real PostgreSQL and Temporal; screenshots to .data/artifacts/cabinet/docs-*.png (git-ignored).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { failDocument, insertDocument } from '../db/documents.repository.js';
import { DEMO_MANAGER_EMAIL } from '../db/seed.js';
import { earliestStart, formatDateRu, moscowToday } from '../core/domain/periods.js';
import { pdfText, readWorkbook, sheetRows } from './support/documents.js';
import { attachmentsOf } from './support/documents-http.js';
import { orderInvoice } from './support/scenario.js';
import { CUSTOMER, demoUser, DESKTOP, holdLock, shotsFor, useCabinet } from './support/cabinet.js';

const PLENTY = 'КЛ-20-3-NUD';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const shot = shotsFor('docs-');

const cab = useCabinet();

/** Holds the payment invoice number counter locked (numbering waits on it) until `release`. */
const holdNumbering = () =>
  holdLock(cab.s.db, async (trx) => {
    const rows = await trx.selectFrom('number_counters').select('last').where('kind', '=', 'payment_invoice').forUpdate().execute();
    expect(rows).toHaveLength(1);
  });

/** Waits for the document page to say the file is ready, clicks the download and returns the file. */
async function downloadReady(page: Page) {
  await page.getByText('Документ готов').waitFor({ timeout: 30_000 });
  const link = page.getByRole('link', { name: /^Скачать / });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(path), href: (await link.getAttribute('href')) ?? '' };
}

/** The cabinet's file link fetched with the browser's cookie: the headers the browser got. */
async function headersOf(context: BrowserContext, href: string) {
  const res = await context.request.get(`${cab.base}${href}`);
  expect(res.status()).toBe(200);
  return res.headers();
}

describe('documents and money in the customer cabinet', () => {
  it('payment invoice and packing list from a realization, an amount invoice made live, a payment order, reports', { timeout: 240_000 }, async () => {
    // Setup through the API: one invoice of the demo customer shipped by the warehouse.
    const customer = cab.api(CUSTOMER);
    const warehouse = cab.api('warehouse');
    const invoice = (await orderInvoice(customer, { [PLENTY]: 6 })).body;
    expect((await customer('POST', `/v1/invoices/${invoice.id}/ship`, undefined, { 'If-Match': String(invoice.version) })).status).toBe(200);
    for (const status of ['to_warehouse', 'assembled', 'shipped']) {
      expect((await warehouse('POST', `/v1/warehouse/invoices/${invoice.id}/status`, { status })).status).toBe(200);
    }
    const realizations = (await customer('GET', '/v1/realizations')).body.items;
    expect(realizations).toHaveLength(1);
    const realization = realizations[0];

    const { context, page } = await cab.open({ ...DESKTOP, acceptDownloads: true });
    await cab.signIn(page);
    const nav = page.getByRole('navigation', { name: 'Разделы кабинета' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(expect.arrayContaining(['Реализации', 'Оплата', 'Отчёты', 'Документы']));

    // Realizations: the shipped one with its total; nothing ticked is the cabinet's own refusal.
    await nav.getByRole('link', { name: 'Реализации' }).click();
    await page.getByRole('heading', { name: 'Реализации', exact: true }).waitFor();
    const card = page.locator('li.realization', { hasText: realization.number });
    expect(await page.locator('li.realization').count()).toBe(1);
    await card.locator('summary').click();
    const line = card.locator('table.lines tbody tr');
    expect(await line.innerText()).toContain(realization.lines[0].name);
    expect(await line.locator('td').nth(1).innerText()).toBe('6');
    await shot(page, '01-realizations');
    await page.getByRole('button', { name: 'Счёт на оплату' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('Отметьте хотя бы одну реализацию');

    // Payment invoice for the ticked realization → its document page → a PDF naming the realization.
    await page.getByLabel(`Реализация ${realization.number}`).check();
    await page.getByRole('button', { name: 'Счёт на оплату' }).click();
    await page.getByRole('heading', { name: 'Счёт на оплату', exact: true }).waitFor();
    const invoicePdf = await downloadReady(page);
    expect(invoicePdf.name).toMatch(/^Счёт на оплату СО-\d{4}-\d+\.pdf$/);
    expect(invoicePdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await pdfText(invoicePdf.bytes)).toContain(realization.number);
    expect((await headersOf(context, invoicePdf.href))['content-type']).toBe('application/pdf');
    await shot(page, '02-payment-invoice-ready');

    // Packing list by box and characteristic for the same realization: an XLSX with the SKU's article.
    await page.goto(`${cab.base}/cabinet/realizations`);
    await page.getByLabel(`Реализация ${realization.number}`).check();
    await page.getByLabel('По коробкам — номенклатура и характеристика').check();
    await shot(page, '03-packing-choice');
    await page.getByRole('button', { name: 'Упаковочный лист' }).click();
    await page.getByRole('heading', { name: 'Упаковочные листы', exact: true }).waitFor();
    const packing = await downloadReady(page);
    expect(packing.name).toBe(`Упаковочные листы ${realization.number}.xlsx`);
    expect(packing.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const packingText = JSON.stringify((await readWorkbook(packing.bytes)).worksheets.map((ws) => sheetRows(ws)));
    expect(packingText).toContain(realization.lines[0].article);
    expect(packingText).toContain(realization.number);
    const packingHeaders = await headersOf(context, packing.href);
    expect(packingHeaders['content-type']).toBe(XLSX);
    expect(packingHeaders['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(packing.name)}`);
    await shot(page, '04-packing-list-ready');

    // A payment invoice for an amount, watched while numbering is held: the page waits, polls, then offers the file in place.
    await nav.getByRole('link', { name: 'Оплата' }).click();
    await page.getByRole('heading', { name: 'Оплата', exact: true }).waitFor();
    await page.getByLabel('Сумма, ₽ (с НДС)').fill('0');
    await page.getByRole('button', { name: 'Сформировать счёт на оплату' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('Сумма должна быть больше 0');
    const hold = holdNumbering();
    await hold.isLocked;
    const polls: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/progress')) polls.push(r.url());
    });
    await page.getByLabel('Сумма, ₽ (с НДС)').fill('15 000,50');
    await page.getByRole('button', { name: 'Сформировать счёт на оплату' }).click();
    await page.getByRole('heading', { name: 'Счёт на оплату', exact: true }).waitFor();
    await page.getByText('Готовим документ…').waitFor();
    await expect.poll(() => polls.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.getByText('Готовим документ…').isVisible()).toBe(true);
    await shot(page, '05-amount-invoice-pending');
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    await hold.release();
    const amountPdf = await downloadReady(page);
    // The same page turned ready without a reload.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(await page.getByText('Готовим документ…').count()).toBe(0);
    const amountText = await pdfText(amountPdf.bytes);
    expect(amountText).toContain('Предварительная оплата');
    expect(amountText).toMatch(/15[\s\u00a0]?000,50/);
    await shot(page, '06-amount-invoice-ready');

    // A payment order: a text file and a 10.5 MB scan are refused with the API's reasons, a PDF goes to the manager.
    await page.goto(`${cab.base}/cabinet/payments`);
    const file = page.getByLabel('Файл платёжного поручения');
    await file.setInputFiles({ name: 'заметка.txt', mimeType: 'text/plain', buffer: Buffer.from('оплатили') });
    await page.getByRole('button', { name: 'Отправить менеджеру' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('Платёжное поручение принимается в PDF или как изображение');
    const tooBig = Buffer.alloc(10 * 1024 * 1024 + 512 * 1024, 0x20);
    tooBig.write('%PDF-1.4\n');
    await file.setInputFiles({ name: 'скан.pdf', mimeType: 'application/pdf', buffer: tooBig });
    await page.getByRole('button', { name: 'Отправить менеджеру' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('Файл больше 10 МБ');
    const orderPdf = Buffer.from('%PDF-1.4\n% платёжное поручение 42\n%%EOF\n');
    await file.setInputFiles({ name: 'п-п 42.pdf', mimeType: 'application/pdf', buffer: orderPdf });
    await page.getByRole('button', { name: 'Отправить менеджеру' }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    expect(await status.innerText()).toMatch(/^Платёжное поручение отправлено менеджеру: «п-п 42\.pdf»/);
    await shot(page, '07-payment-order-sent');
    const orderId = new URL(page.url()).searchParams.get('sent') ?? '';
    await expect.poll(() => attachmentsOf(cab.s, `payment-order/${orderId}`)?.to, { timeout: 20_000 }).toBe(DEMO_MANAGER_EMAIL);
    expect(attachmentsOf(cab.s, `payment-order/${orderId}`)?.files[0]?.content.equals(orderPdf)).toBe(true);
    // The same form sent twice (a double click): one payment order, the first answer again.
    const twice = async () => {
      const res = await context.request.post(`${cab.base}/cabinet/payments/order`, {
        headers: { Origin: cab.base },
        multipart: { key: 'double-click-0001', file: { name: 'п-п 43.pdf', mimeType: 'application/pdf', buffer: orderPdf } },
        maxRedirects: 0,
      });
      expect(res.status()).toBe(303);
      return res.headers().location;
    };
    const first = await twice();
    expect(first).toMatch(/^\/cabinet\/payments\?sent=[\w-]+$/);
    expect(await twice()).toBe(first);

    // Reports: the limit is written before asking and held by the date field; past it the API refuses.
    await nav.getByRole('link', { name: 'Отчёты' }).click();
    await page.getByRole('heading', { name: 'Отчёты', exact: true }).waitFor();
    const today = moscowToday(Date.now());
    const sales = page.getByRole('form', { name: 'Отчёт по продажам' });
    expect(await sales.innerText()).toContain(`не раньше ${formatDateRu(earliestStart('sales', today))} (не более полугода назад)`);
    expect(await page.getByRole('form', { name: 'Акт сверки взаиморасчётов' }).innerText()).toContain(
      `не раньше ${formatDateRu(earliestStart('settlements', today))} (не более года назад)`,
    );
    await shot(page, '08-reports');
    const from = sales.getByLabel('Начало периода');
    await from.fill('2020-01-01');
    await sales.getByRole('button', { name: /^Заказать/ }).click();
    // The browser holds the form: the date is before the field's minimum.
    expect(await from.evaluate((input: HTMLInputElement) => input.validity.rangeUnderflow)).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
    // A page drawn before midnight, or a browser that ignores min: the API decides and says why.
    await from.evaluate((input: HTMLInputElement) => input.removeAttribute('min'));
    await sales.getByRole('button', { name: /^Заказать/ }).click();
    const refused = page.getByRole('alert');
    await refused.waitFor();
    expect(await refused.innerText()).toBe(
      `Отчёт по продажам можно сформировать не более чем за полгода: начало периода не раньше ${formatDateRu(earliestStart('sales', today))}. ` +
        'За более ранний период обратитесь к вашему менеджеру.',
    );
    expect(await page.getByRole('form', { name: 'Отчёт по продажам' }).getByLabel('Начало периода').inputValue()).toBe('2020-01-01');
    expect((await customer('GET', '/v1/documents?type=sales')).body.items).toHaveLength(0);
    await shot(page, '09-period-refused');

    // Receivables: ordered, watched to ready, downloaded; the workbook owes for the realization.
    await page.getByRole('button', { name: 'Заказать: Отчёт по дебиторской задолженности' }).click();
    await page.getByRole('heading', { name: 'Отчёт по дебиторской задолженности', exact: true }).waitFor();
    const report = await downloadReady(page);
    expect(report.name).toBe(`ДЗ на ${today}.xlsx`);
    expect((await headersOf(context, report.href))['content-type']).toBe(XLSX);
    const reportText = JSON.stringify((await readWorkbook(report.bytes)).worksheets.map((ws) => sheetRows(ws)));
    expect(reportText).toContain(realization.number);
    await shot(page, '10-receivables-ready');

    // The files list: everything ordered above, ready; the type filter narrows it.
    await nav.getByRole('link', { name: 'Документы' }).click();
    const rows = page.locator('#documents tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.locator('.badge').allInnerTexts()).toEqual(['готов', 'готов', 'готов', 'готов']);
    expect(await page.locator('#documents').innerText()).toContain(`Упаковочные листы ${realization.number}.xlsx`);
    await shot(page, '11-documents');
    await page.getByLabel('Вид документа').selectOption({ label: 'Счёт на оплату' });
    await expect.poll(() => rows.count()).toBe(2);
    expect((await rows.allInnerTexts()).every((t) => t.startsWith('Счёт на оплату'))).toBe(true);
    await expect.poll(() => page.url()).toContain('type=payment-invoice');

    // A document that stays pending (recorded, no workflow yet) and then fails: its file is refused
    // with the API's reason, and the waiting page turns into the failure without a reload.
    const stuck = randomUUID();
    const customerId = demoUser(CUSTOMER).customerId ?? '';
    await insertDocument(cab.s.db, { id: stuck, customerId, params: { type: 'sales', from: today, to: today } });
    await page.goto(`${cab.base}/cabinet/documents/${stuck}`);
    await page.getByText('Готовим документ…').waitFor();
    const early = await context.request.get(`${cab.base}/cabinet/documents/${stuck}/file`);
    expect(early.status()).toBe(409);
    expect(await early.text()).toContain('Документ ещё формируется');
    await failDocument(cab.s.db, stuck, 'Нет связи с учётной системой');
    const failed = page.getByRole('alert');
    await failed.waitFor();
    expect(await failed.innerText()).toBe('Документ не сформирован: Нет связи с учётной системой. Закажите его ещё раз или обратитесь к менеджеру.');
    expect(await page.getByRole('link', { name: 'Заказать ещё раз' }).getAttribute('href')).toBe('/cabinet/reports');
    await shot(page, '12-document-failed');
    await page.goto(`${cab.base}/cabinet/documents?type=sales`);
    expect(await page.locator('#documents tbody tr').innerText()).toMatch(/ошибка\s+Нет связи с учётной системой/);

    // On a phone: the same pages fit, tables scroll inside their box.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${cab.base}/cabinet/documents`);
    await shot(page, '13-phone-documents');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto(`${cab.base}/cabinet/realizations`);
    await shot(page, '14-phone-realizations');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });
});
