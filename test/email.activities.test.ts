import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { createEmailActivities } from '../activities/email.activities.js';
import { createMailer, parseRetryAfter } from '../activities/email/mailer.js';
import { isStatusEmail, renderEmail } from '../activities/email/templates.js';
import type { EmailRequest } from '../core/contracts/email.js';
import type { InvoiceState } from '../core/contracts/invoice.js';
import { STATUS_LABELS, type InvoiceStatus } from '../core/domain/invoice.js';
import { loadConfig, type Config } from '../runtime/config.js';
import { startFakeResend, type FakeResend } from './support/fake-resend.js';
import { createTestDb, type TestDb } from './support/db.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

const NBSP = '\u00a0';
const rub = (s: string): string => s.replaceAll(' ', NBSP);

function sampleInvoice(overrides: Partial<InvoiceState> = {}): InvoiceState {
  return {
    id: '7b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3',
    number: 'СЧ-2026-000123',
    customerId: randomUUID(),
    orderId: randomUUID(),
    status: 'confirmed',
    version: 1,
    createdAt: '2026-11-27T09:00:00.000Z',
    confirmedAt: '2026-11-27T12:00:00.000Z',
    expiresAt: '2026-12-07T12:00:00.000Z',
    mergedInto: null,
    boxes: null,
    realization: null,
    lines: [
      // 10 × 1 249,00 = 12 490,00: the only line that counts towards the total.
      {
        sku: 'TSH-RED-M',
        article: 'ФУТ-001',
        name: 'Футболка хлопковая',
        characteristic: 'красный, M',
        requested: 10,
        approved: 10,
        priceKopecks: 124900,
        piecesPerBox: 10,
      },
      // Nothing approved: one line out of stock, one not in the catalog.
      {
        sku: 'CAP-BLK',
        article: 'КЕП-007',
        name: 'Кепка',
        characteristic: null,
        requested: 5,
        approved: 0,
        priceKopecks: 50000,
        piecesPerBox: 10,
        reason: 'out_of_stock',
      },
      {
        sku: 'GHOST-1',
        article: 'GHOST-1',
        name: 'Неизвестный товар',
        characteristic: null,
        requested: 3,
        approved: 0,
        priceKopecks: 0,
        piecesPerBox: 10,
        reason: 'unknown_sku',
      },
    ],
    ...overrides,
  };
}

const CTX = { customerName: 'ООО «Ромашка»', publicUrl: 'https://portal.example.ru/' };

// ---------------------------------------------------------------------------------------------
// Templates

describe('renderEmail', () => {
  it('invoice_created: number, status, approved lines with prices, rejected lines with reasons, total with VAT, expiry, link', () => {
    const invoice = sampleInvoice();
    const { subject, text, html } = renderEmail({ key: 'k', kind: 'invoice_created', customerId: invoice.customerId, invoice }, CTX);

    expect(subject).toBe('Новый счёт СЧ-2026-000123');
    expect(text).toContain('Здравствуйте, ООО «Ромашка»!');
    expect(text).toContain('Статус: Подтвержден менеджером');
    expect(text).toContain(`ФУТ-001 Футболка хлопковая (красный, M) — 10 шт. × ${rub('1 249,00 ₽')} = ${rub('12 490,00 ₽')}`);

    const [approvedPart, rejectedPart = ''] = text.split('Не подтверждено:');
    expect(approvedPart).not.toContain('Кепка');
    expect(approvedPart).not.toContain('Неизвестный товар');
    expect(rejectedPart).toContain('КЕП-007 Кепка — 5 шт. из 5: нет в наличии');
    expect(rejectedPart).toContain('GHOST-1 Неизвестный товар — 3 шт. из 3: нет в каталоге');

    expect(text).toContain(`Итого: ${rub('12 490,00 ₽')}`);
    expect(text).toContain(`в т.ч. НДС 22%: ${rub('2 252,30 ₽')}`);
    expect(text).toContain('Счёт действует до 7 декабря 2026 г. в 15:00 (МСК)');
    expect(text).toContain('https://portal.example.ru/v1/invoices/7b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3');

    expect(html).toContain('<a href="https://portal.example.ru/v1/invoices/7b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3">');
    expect(html).toContain(rub('12 490,00 ₽'));
    expect(html).toContain('<h3>Не подтверждено</h3>');
    expect(html).toContain('нет в каталоге');
  });

  it('invoice_created: a partly approved line is listed in both blocks, with the shortfall reason', () => {
    const invoice = sampleInvoice({
      lines: [
        {
          sku: 'S1',
          article: 'A-1',
          name: 'Носки',
          characteristic: null,
          requested: 10,
          approved: 4,
          priceKopecks: 14990,
          piecesPerBox: 10,
          reason: 'out_of_stock',
        },
      ],
    });
    const { text } = renderEmail({ key: 'k', kind: 'invoice_created', customerId: invoice.customerId, invoice }, CTX);
    const [approvedPart = '', rejectedPart = ''] = text.split('Не подтверждено:');
    expect(approvedPart).toContain(`A-1 Носки — 4 шт. × ${rub('149,90 ₽')} = ${rub('599,60 ₽')}`);
    expect(rejectedPart).toContain('A-1 Носки — 6 шт. из 10: нет в наличии в нужном количестве (подтверждено 4 шт.)');
  });

  it('escapes every interpolated value in HTML', () => {
    const invoice = sampleInvoice({
      lines: [
        {
          sku: 'X',
          article: 'A&B',
          name: '<script>alert("x")</script>',
          characteristic: "O'Neil",
          requested: 1,
          approved: 1,
          priceKopecks: 100,
          piecesPerBox: 10,
        },
      ],
    });
    const { html, text } = renderEmail(
      { key: 'k', kind: 'invoice_created', customerId: invoice.customerId, invoice },
      { customerName: '<b>Хакер</b>', publicUrl: 'https://x.example/"onmouseover="' },
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Хакер</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('A&amp;B');
    expect(html).toContain('O&#39;Neil');
    expect(html).not.toContain('"onmouseover="');
    // the plain-text part is not HTML and stays readable
    expect(text).toContain('<script>alert("x")</script>');
  });

  it('order_placed lists the requested lines as sku × quantity', () => {
    const { subject, text, html } = renderEmail(
      {
        key: 'k',
        kind: 'order_placed',
        customerId: randomUUID(),
        orderId: 'ord-1',
        lines: [
          { sku: 'TSH-RED-M', quantity: 10 },
          { sku: '<CAP>', quantity: 2 },
        ],
      },
      CTX,
    );
    expect(subject).toBe('Заказ оформлен');
    expect(text).toContain('1. TSH-RED-M × 10 шт.');
    expect(text).toContain('2. <CAP> × 2 шт.');
    expect(text).toContain('Всего позиций: 2, штук: 12');
    expect(html).toContain('&lt;CAP&gt;');
    expect(html).not.toContain('<CAP>');
  });

  it('invoice_expiring: reminder with the deletion time in Moscow time, lines, total and link', () => {
    const invoice = sampleInvoice({ status: 'draft' });
    const { subject, text, html } = renderEmail({ key: 'k', kind: 'invoice_expiring', customerId: invoice.customerId, invoice }, CTX);
    expect(subject).toBe('Счёт СЧ-2026-000123 скоро будет удалён');
    expect(text).toContain('(статус: Редактируется) будет автоматически удалён 7 декабря 2026 г. в 15:00 (МСК), а резерв товаров снят.');
    expect(text).toContain(`Итого: ${rub('12 490,00 ₽')}`);
    expect(text).toContain('https://portal.example.ru/v1/invoices/7b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3');
    expect(html).toContain('Футболка хлопковая');
  });

  it('invoice_expired: says the invoice is deleted and the reservation released', () => {
    const invoice = sampleInvoice({ status: 'deleted' });
    const { subject, text } = renderEmail({ key: 'k', kind: 'invoice_expired', customerId: invoice.customerId, invoice }, CTX);
    expect(subject).toBe('Счёт СЧ-2026-000123 удалён');
    expect(text).toContain('Срок действия счёта СЧ-2026-000123 истёк: счёт удалён, резерв товаров снят.');
    expect(text).toContain('Позиции удалённого счёта:');
  });

  it('order and invoice emails are status emails (the notifications switch applies)', () => {
    expect(isStatusEmail('order_placed')).toBe(true);
    expect(isStatusEmail('invoice_created')).toBe(true);
    expect(isStatusEmail('invoice_status')).toBe(true);
    expect(isStatusEmail('invoice_expiring')).toBe(true);
    expect(isStatusEmail('invoice_expired')).toBe(true);
  });
});

describe('renderEmail: invoice_status', () => {
  const LINK = 'https://portal.example.ru/v1/invoices/7b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';

  const statusEmail = (
    status: InvoiceStatus,
    extra: { previousStatus?: InvoiceStatus; reason?: string; realizationNumber?: string; invoice?: Partial<InvoiceState> } = {},
    ctx = CTX,
  ) => {
    const invoice = sampleInvoice({ status, ...extra.invoice });
    return renderEmail(
      {
        key: 'k',
        kind: 'invoice_status',
        customerId: invoice.customerId,
        invoice,
        previousStatus: extra.previousStatus ?? 'checking',
        ...(extra.reason === undefined ? {} : { reason: extra.reason }),
        ...(extra.realizationNumber === undefined ? {} : { realizationNumber: extra.realizationNumber }),
      },
      ctx,
    );
  };

  it.each([
    ['confirmed', 'Счёт СЧ-2026-000123 подтверждён'],
    ['changed', 'Счёт СЧ-2026-000123 изменён'],
    ['draft', 'Счёт СЧ-2026-000123 ожидает отправки на подтверждение'],
    ['shipment_confirmed', 'Счёт СЧ-2026-000123 сохранён и отправлен на отгрузку'],
    ['to_warehouse', 'Счёт СЧ-2026-000123 передан на склад'],
    ['assembled', 'Заказ по счёту СЧ-2026-000123 собран'],
    ['shipped', 'Заказ по счёту СЧ-2026-000123 отгружен'],
    ['deleted', 'Счёт СЧ-2026-000123 удалён'],
    ['marked_for_deletion', 'Счёт СЧ-2026-000123 объединён с другим счётом'],
    ['checking', 'Статус счёта СЧ-2026-000123 изменён: «Проверяется»'],
  ] as const)('%s: subject «%s», previous and new status, greeting, signature, HTML title', (status, subject) => {
    const previousStatus: InvoiceStatus = status === 'confirmed' ? 'changed' : 'confirmed';
    const email = statusEmail(status, { previousStatus });
    expect(email.subject).toBe(subject);
    expect(email.text).toContain('Здравствуйте, ООО «Ромашка»!');
    expect(email.text).toContain(`Было: ${STATUS_LABELS[previousStatus]}, стало: ${STATUS_LABELS[status]}`);
    expect(email.text).toContain('С уважением, отдел оптовых продаж');
    expect(email.html).toContain(`<title>${subject}</title>`);
    expect(email.html).toContain(`Было: ${STATUS_LABELS[previousStatus]}, стало: ${STATUS_LABELS[status]}`);
    // no status email leaks unescaped markup from the customer name
    expect(statusEmail(status, { previousStatus }, { ...CTX, customerName: '<i>X</i>' }).html).toContain('&lt;i&gt;X&lt;/i&gt;');
  });

  it('an unchanged status shows the status once instead of "Было/стало"', () => {
    const { text } = statusEmail('changed', { previousStatus: 'changed' });
    expect(text).toContain('Статус: Изменен');
    expect(text).not.toContain('Было:');
  });

  it('confirmed: approved and rejected lines, total with VAT, expiry, can now be sent for shipment, link', () => {
    const { text, html } = statusEmail('confirmed', { previousStatus: 'checking' });
    expect(text).toContain('позиции повторно проверены по наличию на складе');
    const [approvedPart = '', rejectedPart = ''] = text.split('Не подтверждено:');
    expect(approvedPart).toContain(`ФУТ-001 Футболка хлопковая (красный, M) — 10 шт. × ${rub('1 249,00 ₽')} = ${rub('12 490,00 ₽')}`);
    expect(approvedPart).not.toContain('Кепка');
    expect(rejectedPart).toContain('КЕП-007 Кепка — 5 шт. из 5: нет в наличии');
    expect(rejectedPart).toContain('GHOST-1 Неизвестный товар — 3 шт. из 3: нет в каталоге');
    expect(text).toContain(`Итого: ${rub('12 490,00 ₽')}`);
    expect(text).toContain(`в т.ч. НДС 22%: ${rub('2 252,30 ₽')}`);
    expect(text).toContain('Счёт действует до 7 декабря 2026 г. в 15:00 (МСК). Если его не отправить на отгрузку');
    expect(text).toContain('Теперь счёт можно отправить на отгрузку.');
    expect(text).toContain(`Открыть счёт: ${LINK}`);
    expect(html).toContain(`<a href="${LINK}">Открыть счёт СЧ-2026-000123</a>`);
    expect(html).toContain('<h3>Не подтверждено</h3>');
  });

  it('changed: shows the reason, tells how to accept the changes, lists approved and rejected lines', () => {
    const { text, html } = statusEmail('changed', { previousStatus: 'confirmed', reason: 'Остаток скорректирован после инвентаризации' });
    expect(text).toContain('Счёт СЧ-2026-000123 изменён без вашего участия');
    expect(text).toContain('Причина изменения: Остаток скорректирован после инвентаризации');
    expect(text).toContain('Чтобы принять изменения, нажмите «Отправить счёт на подтверждение».');
    expect(html).toContain('Чтобы принять изменения, нажмите «Отправить счёт на подтверждение».');
    expect(text).toContain('Подтверждённые позиции:');
    expect(text).toContain('Не подтверждено:');
    expect(text).toContain('КЕП-007 Кепка — 5 шт. из 5: нет в наличии');
    expect(text).toContain(`Итого: ${rub('12 490,00 ₽')}`);
    expect(text).toContain('Если его не отправить на подтверждение, он будет удалён');
    expect(text).toContain(LINK);
  });

  it('changed without a reason (or a blank one) has no reason line', () => {
    expect(statusEmail('changed').text).not.toContain('Причина изменения');
    expect(statusEmail('changed', { reason: '   ' }).text).not.toContain('Причина изменения');
  });

  it('the reason is HTML-escaped, keeps its line breaks, and stays plain in the text part', () => {
    const reason = 'Цена <b>снижена</b> & "скидка" 5%\nКепка снята: нет на складе';
    const { text, html } = statusEmail('changed', { reason });
    expect(html).not.toContain('<b>снижена</b>');
    expect(html).toContain('Причина изменения: Цена &lt;b&gt;снижена&lt;/b&gt; &amp; &quot;скидка&quot; 5%<br>Кепка снята: нет на складе');
    expect(text).toContain('Причина изменения: Цена <b>снижена</b> & "скидка" 5%\nКепка снята: нет на складе');
  });

  it('a reason on another status is shown as a comment', () => {
    const { text } = statusEmail('deleted', { reason: 'Отменён по просьбе клиента' });
    expect(text).toContain('Комментарий: Отменён по просьбе клиента');
  });

  it('draft: waits to be sent for confirmation and says how', () => {
    const { text } = statusEmail('draft', { previousStatus: 'confirmed' });
    expect(text).toContain('ожидает отправки на подтверждение');
    expect(text).toContain('нажмите «Отправить счёт на подтверждение»');
    expect(text).toContain('Подтверждённые позиции:');
    expect(text).toContain(LINK);
  });

  it('shipment_confirmed: no more changes, approved lines and total only', () => {
    const { text } = statusEmail('shipment_confirmed', { previousStatus: 'confirmed' });
    expect(text).toContain('Изменить его больше нельзя.');
    expect(text).toContain('ФУТ-001 Футболка хлопковая (красный, M) — 10 шт.');
    expect(text).not.toContain('Не подтверждено:');
    expect(text).not.toContain('Кепка');
    expect(text).toContain(`Итого: ${rub('12 490,00 ₽')}`);
    expect(text).not.toContain('Счёт действует до');
  });

  it('shipped: mentions the realization number (escaped in HTML); nothing when not given', () => {
    const { text, html } = statusEmail('shipped', { previousStatus: 'assembled', realizationNumber: 'РН-2026-000045<1>' });
    expect(text).toContain('Заказ по счёту СЧ-2026-000123 отгружен.');
    expect(text).toContain('Номер реализации: РН-2026-000045<1>');
    expect(html).toContain('Номер реализации: РН-2026-000045&lt;1&gt;');
    expect(text).toContain('Отгруженные позиции:');
    expect(text).toContain(`Итого: ${rub('12 490,00 ₽')}`);
    expect(statusEmail('shipped').text).not.toContain('Номер реализации');
  });

  it('deleted: the reservations are released', () => {
    const { text } = statusEmail('deleted', { previousStatus: 'confirmed' });
    expect(text).toContain('Счёт СЧ-2026-000123 удалён, резерв товаров снят.');
    expect(text).toContain('Позиции удалённого счёта:');
  });

  it('marked_for_deletion: names the new invoice and links to it', () => {
    const mergedInto = '11111111-2222-4333-8444-555555555555';
    const { text, html } = statusEmail('marked_for_deletion', { previousStatus: 'draft', invoice: { mergedInto } });
    expect(text).toContain('объединён с другим счётом и помечен на удаление');
    expect(text).toContain(`Идентификатор нового счёта: ${mergedInto}`);
    expect(text).toContain(`Открыть новый счёт: https://portal.example.ru/v1/invoices/${mergedInto}`);
    expect(html).toContain(`<a href="https://portal.example.ru/v1/invoices/${mergedInto}">Открыть новый счёт</a>`);
    expect(text).not.toContain(LINK);
  });

  it('marked_for_deletion without mergedInto still links to the invoice itself', () => {
    const { text } = statusEmail('marked_for_deletion');
    expect(text).not.toContain('Идентификатор нового счёта');
    expect(text).toContain(`Открыть счёт: ${LINK}`);
  });

  it('checking (generic): status label in the subject and the text, link to the invoice', () => {
    const { subject, text } = statusEmail('checking', { previousStatus: 'changed' });
    expect(subject).toBe('Статус счёта СЧ-2026-000123 изменён: «Проверяется»');
    expect(text).toContain('Было: Изменен, стало: Проверяется');
    expect(text).toContain(LINK);
  });

  it('is pure: the same request renders the same email', () => {
    expect(statusEmail('changed', { reason: 'x' })).toEqual(statusEmail('changed', { reason: 'x' }));
  });
});

// ---------------------------------------------------------------------------------------------
// Activity against real PostgreSQL and a fake Resend at its network edge

describe('sendEmail', () => {
  let database: TestDb;
  let db: Db;
  let fake: FakeResend;
  let config: Config;
  const silent = pino({ level: 'silent' });
  const customerId = randomUUID();
  const quietCustomerId = randomUUID();

  beforeAll(async () => {
    database = await createTestDb();
    db = database.db;
    fake = await startFakeResend();
    config = loadConfig({
      RESEND_API_KEY: 're_test_123',
      RESEND_BASE_URL: fake.url,
      EMAIL_FROM: 'Оптовый кабинет <orders@example.com>',
      PUBLIC_URL: 'https://portal.example.ru',
    });
    await db
      .insertInto('customers')
      .values([
        { id: customerId, name: 'ООО «Ромашка»', email: 'buyer@romashka.example', manager_email: 'manager@example.com' },
        { id: quietCustomerId, name: 'ИП Тихонов', email: 'quiet@example.com', manager_email: 'manager@example.com', email_notifications: false },
      ])
      .execute();
  });

  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  beforeEach(() => {
    fake.emails.length = 0;
    fake.failNext(0, 500);
  });

  const activities = (cfg: Config = config, logger = silent) => createEmailActivities({ db, config: cfg, mailer: createMailer(cfg, logger) });

  const invoiceEmail = (key: string, forCustomer = customerId): EmailRequest => ({
    key,
    kind: 'invoice_created',
    customerId: forCustomer,
    invoice: sampleInvoice({ customerId: forCustomer }),
  });

  const logRows = (key: string) => db.selectFrom('email_log').selectAll().where('key', '=', key).execute();

  it('delivers an invoice email with Cyrillic content to Resend with the idempotency key, and logs it', async () => {
    const key = `invoice-created/${randomUUID()}`;
    await activities().sendEmail(invoiceEmail(key));

    expect(fake.emails).toHaveLength(1);
    const sent = fake.emails[0]!;
    expect(sent.key).toBe(key);
    expect(sent.status).toBe(200);
    expect(sent.body.to).toBe('buyer@romashka.example');
    expect(sent.body.from).toBe('Оптовый кабинет <orders@example.com>');
    expect(sent.body.subject).toBe('Новый счёт СЧ-2026-000123');
    expect(sent.body.text).toContain('Здравствуйте, ООО «Ромашка»!');
    expect(sent.body.text).toContain('нет в каталоге');
    expect(sent.body.html).toContain('Футболка хлопковая');

    const rows = await logRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', kind: 'invoice_created', to_address: 'buyer@romashka.example', subject: 'Новый счёт СЧ-2026-000123' });
    expect(rows[0]!.provider_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows[0]!.text).toBe(sent.body.text);
  });

  it('sends once for one key: a second run does nothing', async () => {
    const key = `invoice-created/${randomUUID()}`;
    const { sendEmail } = activities();
    await sendEmail(invoiceEmail(key));
    await sendEmail(invoiceEmail(key));

    expect(fake.emails).toHaveLength(1);
    expect(await logRows(key)).toHaveLength(1);
  });

  it('a retry after a crash between send and log reuses the provider idempotency key (same provider id)', async () => {
    const key = `invoice-created/${randomUUID()}`;
    const { sendEmail } = activities();
    await sendEmail(invoiceEmail(key));
    const [first] = await logRows(key);
    // Simulate the worker dying after Resend accepted the email but before the log row committed.
    await db.deleteFrom('email_log').where('key', '=', key).execute();
    await sendEmail(invoiceEmail(key));

    expect(fake.emails.map((e) => e.key)).toEqual([key, key]);
    const [second] = await logRows(key);
    expect(second!.provider_id).toBe(first!.provider_id);
  });

  it('notifications off: nothing is sent and a skipped row is logged', async () => {
    const key = `invoice-created/${randomUUID()}`;
    await activities().sendEmail(invoiceEmail(key, quietCustomerId));

    expect(fake.emails).toHaveLength(0);
    const rows = await logRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'skipped', provider_id: null, to_address: 'quiet@example.com' });
  });

  it('provider 500: throws a retryable error, logs nothing; the next attempt sends with the same key', async () => {
    const key = `invoice-created/${randomUUID()}`;
    const { sendEmail } = activities();
    fake.failNext(1, 500);

    const error = await sendEmail(invoiceEmail(key)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(await logRows(key)).toHaveLength(0);

    await sendEmail(invoiceEmail(key));
    expect(fake.emails.map((e) => [e.key, e.status])).toEqual([
      [key, 500],
      [key, 200],
    ]);
    const rows = await logRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('sent');
  });

  it('provider 422: throws a non-retryable ApplicationFailure of type email_rejected and logs the email as failed', async () => {
    const key = `invoice-created/${randomUUID()}`;
    fake.failNext(1, 422);

    const error = await activities()
      .sendEmail(invoiceEmail(key))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'email_rejected', nonRetryable: true });
    expect((await logRows(key)).map((r) => r.status)).toEqual(['failed']);
  });

  it.each([
    [429, 'retryable'],
    [503, 'retryable'],
    [400, 'rejected'],
    [401, 'rejected'],
    [403, 'rejected'],
  ] as const)('mailer maps provider status %i to %s', async (status, expected) => {
    fake.failNext(1, status);
    const mailer = createMailer(config, silent);
    const error = await mailer.send({ key: randomUUID(), to: 'a@example.com', subject: 's', text: 't', html: '<p>h</p>' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    if (expected === 'retryable') {
      expect(error).not.toBeInstanceOf(ApplicationFailure);
    } else {
      expect(error).toMatchObject({ type: 'email_rejected', nonRetryable: true });
    }
  });

  it('429 with Retry-After: a retryable failure whose next retry waits what the provider asked', async () => {
    fake.failNext(1, 429, { retryAfterSeconds: 7 });
    const error = await createMailer(config, silent)
      .send({ key: randomUUID(), to: 'a@example.com', subject: 's', text: 't', html: '<p>h</p>' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'unavailable', nonRetryable: false, nextRetryDelay: 7000 });
  });

  it.each([
    ['3', 3000],
    ['0', 1000],
    [new Date(Date.parse('2026-11-30T10:00:30Z')).toUTCString(), 30_000],
    ['3600000', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ] as const)('Retry-After %s waits %s ms', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-30T10:00:00Z'))).toBe(expected);
  });

  it('network failure (nothing listening) is retryable', async () => {
    const closedUrl = await unusedLocalUrl();
    const cfg = loadConfig({ RESEND_API_KEY: 're_test_123', RESEND_BASE_URL: closedUrl });
    const error = await createMailer(cfg, silent)
      .send({ key: randomUUID(), to: 'a@example.com', subject: 's', text: 't', html: 'h' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
  });

  it('without an API key the outbox transport logs the email and the row has status outbox', async () => {
    const key = `order-placed/${randomUUID()}`;
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const outboxConfig = loadConfig({ PUBLIC_URL: 'https://portal.example.ru' });

    await activities(outboxConfig, logger).sendEmail({
      key,
      kind: 'order_placed',
      customerId,
      orderId: randomUUID(),
      lines: [{ sku: 'TSH-RED-M', quantity: 3 }],
    });

    expect(fake.emails).toHaveLength(0);
    const rows = await logRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'outbox', provider_id: null, subject: 'Заказ оформлен' });
    expect(rows[0]!.text).toContain('TSH-RED-M × 3 шт.');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ key, to: 'buyer@romashka.example', subject: 'Заказ оформлен', transport: 'outbox' });
  });

  it('an unknown customer is a non-retryable not_found failure', async () => {
    const error = await activities()
      .sendEmail(invoiceEmail(`invoice-created/${randomUUID()}`, randomUUID()))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toMatchObject({ type: 'not_found', nonRetryable: true });
    expect(fake.emails).toHaveLength(0);
  });
});

/** A local URL nobody listens on: bind a port, then free it. */
async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
