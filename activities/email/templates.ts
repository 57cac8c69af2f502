import type { EmailKind, EmailRequest } from '../../core/contracts/email.js';
import type { InvoiceState } from '../../core/contracts/invoice.js';
import type { OrderLineInput } from '../../core/contracts/order.js';
import { STATUS_LABELS, invoiceTotal, lineTotal, rejectedQuantity, type InvoiceLine, type InvoiceStatus } from '../../core/domain/invoice.js';
import { VAT_RATE_PERCENT, formatRoublesRu, vatIncluded } from '../../core/domain/money.js';

export interface RenderContext {
  customerName: string;
  /** Base URL of the API, e.g. "https://portal.example.ru"; a trailing slash is ignored. */
  publicUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Which kinds are order/invoice status emails: the customer's notifications switch turns them
 * off. Documents the customer asks for explicitly are not status emails and are always sent.
 * A `Record` over every kind, so adding a kind without deciding here does not compile.
 */
const STATUS_EMAIL: Record<EmailKind, boolean> = {
  order_placed: true,
  invoice_created: true,
  invoice_status: true,
  invoice_expiring: true,
  invoice_expired: true,
  // Requested documents and payment orders are not status emails: always sent.
  document_ready: false,
  document_failed: false,
  payment_order: false,
};

export function isStatusEmail(kind: EmailKind): boolean {
  return STATUS_EMAIL[kind];
}

/** Renders the Russian subject, plain text and HTML of an email. Pure: same input, same output. */
export function renderEmail(request: EmailRequest, ctx: RenderContext): RenderedEmail {
  switch (request.kind) {
    case 'order_placed':
      return renderOrderPlaced(request.orderId, request.lines, ctx);
    case 'invoice_created':
      return renderInvoiceCreated(request.invoice, ctx);
    case 'invoice_status':
      return renderInvoiceStatus(request, ctx);
    case 'invoice_expiring':
      return renderInvoiceExpiring(request.invoice, ctx);
    case 'invoice_expired':
      return renderInvoiceExpired(request.invoice, ctx);
    case 'document_failed':
      return renderDocumentFailed(request, ctx);
    case 'document_ready':
      return renderDocumentReady(request, ctx);
    case 'payment_order':
      return renderPaymentOrder(request, ctx);
    default:
      return assertNever(request);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown email kind: ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// order_placed

function renderOrderPlaced(orderId: string, lines: readonly OrderLineInput[], ctx: RenderContext): RenderedEmail {
  const subject = 'Заказ оформлен';
  const totalPieces = lines.reduce((sum, line) => sum + line.quantity, 0);
  const parts = start(ctx);
  paragraph(parts, 'Ваш заказ принят. Мы проверяем наличие товаров и пришлём счёт отдельным письмом.', `Номер заказа: ${orderId}`);
  parts.text.push('', 'Состав заказа:', ...lines.map((line, i) => `${i + 1}. ${line.sku} × ${line.quantity} шт.`));
  const rows = lines
    .map((line, i) => `<tr><td>${i + 1}</td><td>${esc(line.sku)}</td><td style="text-align:right">${esc(line.quantity)}&nbsp;шт.</td></tr>`)
    .join('');
  parts.html.push(
    '<h3>Состав заказа</h3>',
    `<table ${TABLE_ATTRS}><thead><tr><th>№</th><th>Артикул (SKU)</th><th>Количество</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
  paragraph(parts, `Всего позиций: ${lines.length}, штук: ${totalPieces}`);
  return finish(subject, parts);
}

// ---------------------------------------------------------------------------------------------
// invoice emails

/** Text and HTML of one email, built block by block so the invoice emails share their parts. */
interface Parts {
  text: string[];
  html: string[];
}

function renderInvoiceCreated(invoice: InvoiceState, ctx: RenderContext): RenderedEmail {
  const subject = `Новый счёт ${invoice.number}`;
  const parts = start(ctx);
  paragraph(parts, `По вашему заказу выставлен счёт ${invoice.number}.`, `Статус: ${STATUS_LABELS[invoice.status]}`);
  approvedLines(parts, invoice);
  rejectedLines(parts, invoice);
  totals(parts, invoice);
  expiry(parts, invoice, 'на отгрузку');
  invoiceLink(parts, invoice, ctx);
  return finish(subject, parts);
}

type InvoiceStatusRequest = Extract<EmailRequest, { kind: 'invoice_status' }>;

/**
 * The invoice changed status. Subject and lead paragraph depend on the new status; the previous
 * status, the reason (a manager's comment, a stock correction) and the realization number are
 * shown when given.
 */
function renderInvoiceStatus(request: InvoiceStatusRequest, ctx: RenderContext): RenderedEmail {
  const { invoice } = request;
  const number = invoice.number;
  const parts = start(ctx);
  const lead = (...lines: string[]): void => {
    paragraph(parts, ...lines, statusChangeLine(request.previousStatus, invoice.status));
    reasonBlock(parts, request.reason, invoice.status === 'changed' ? 'Причина изменения' : 'Комментарий');
    if (request.realizationNumber?.trim()) paragraph(parts, `Номер реализации: ${request.realizationNumber.trim()}`);
  };
  /** Approved lines and the total: what the customer gets. */
  const summary = (title?: string): void => {
    approvedLines(parts, invoice, title);
    totals(parts, invoice);
  };
  /** Approved and rejected lines and the total: the result of a stock check. */
  const checkResult = (): void => {
    approvedLines(parts, invoice);
    rejectedLines(parts, invoice);
    totals(parts, invoice);
  };

  let subject: string;
  switch (invoice.status) {
    case 'confirmed':
      subject = `Счёт ${number} подтверждён`;
      lead(`Счёт ${number} подтверждён: позиции повторно проверены по наличию на складе.`);
      checkResult();
      expiry(parts, invoice, 'на отгрузку');
      paragraph(parts, 'Теперь счёт можно отправить на отгрузку.');
      break;
    case 'changed':
      subject = `Счёт ${number} изменён`;
      lead(`Счёт ${number} изменён без вашего участия: менеджером или по результатам проверки остатков на складе.`);
      paragraph(parts, 'Проверьте позиции счёта. Чтобы принять изменения, нажмите «Отправить счёт на подтверждение».');
      checkResult();
      expiry(parts, invoice, 'на подтверждение');
      break;
    case 'draft':
      subject = `Счёт ${number} ожидает отправки на подтверждение`;
      lead(`Счёт ${number} ожидает отправки на подтверждение: в нём есть правки или он получен объединением счетов.`);
      paragraph(parts, 'Когда состав счёта будет готов, нажмите «Отправить счёт на подтверждение»: мы проверим наличие товаров.');
      checkResult();
      expiry(parts, invoice, 'на подтверждение');
      break;
    case 'shipment_confirmed':
      subject = `Счёт ${number} сохранён и отправлен на отгрузку`;
      lead(`Счёт ${number} сохранён и отправлен на отгрузку. Изменить его больше нельзя.`);
      summary();
      break;
    case 'to_warehouse':
      subject = `Счёт ${number} передан на склад`;
      lead(`Счёт ${number} передан на склад для сборки заказа.`);
      summary();
      break;
    case 'assembled':
      subject = `Заказ по счёту ${number} собран`;
      lead(`Заказ по счёту ${number} собран и готовится к отгрузке.`);
      summary();
      break;
    case 'shipped':
      subject = `Заказ по счёту ${number} отгружен`;
      lead(`Заказ по счёту ${number} отгружен.`);
      summary('Отгруженные позиции');
      break;
    case 'deleted':
      subject = `Счёт ${number} удалён`;
      lead(`Счёт ${number} удалён, резерв товаров снят.`, 'Если товары по-прежнему нужны, оформите новый заказ в личном кабинете.');
      summary('Позиции удалённого счёта');
      break;
    case 'marked_for_deletion':
      subject = `Счёт ${number} объединён с другим счётом`;
      lead(`Счёт ${number} объединён с другим счётом и помечен на удаление. Его позиции перенесены в новый счёт.`);
      if (invoice.mergedInto) {
        paragraph(parts, `Идентификатор нового счёта: ${invoice.mergedInto}`);
        link(parts, invoice.mergedInto, 'Открыть новый счёт', 'Открыть новый счёт', ctx);
        return finish(subject, parts);
      }
      break;
    case 'checking':
    default:
      // Any status without its own text (and one added later) gets the generic email.
      subject = `Статус счёта ${number} изменён: «${statusLabel(invoice.status)}»`;
      lead(`Статус счёта ${number} изменён.`);
      break;
  }
  invoiceLink(parts, invoice, ctx);
  return finish(subject, parts);
}

/** "Было: …, стало: …", or just the status when it did not change (e.g. changed again). */
function statusChangeLine(previous: InvoiceStatus, current: InvoiceStatus): string {
  return previous === current ? `Статус: ${statusLabel(current)}` : `Было: ${statusLabel(previous)}, стало: ${statusLabel(current)}`;
}

function statusLabel(status: InvoiceStatus): string {
  // A status from a newer payload than this code still renders as itself.
  return (STATUS_LABELS as Partial<Record<string, string>>)[status] ?? status;
}

/** The reason someone else gave, line by line; nothing when it is empty. */
function reasonBlock(parts: Parts, reason: string | undefined, label: string): void {
  const lines = (reason ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 0) return;
  const [first = '', ...rest] = lines;
  paragraph(parts, `${label}: ${first}`, ...rest);
}

/** When an invoice waiting on the customer expires, and what to do so it does not. */
function expiry(parts: Parts, invoice: InvoiceState, sendTo: 'на отгрузку' | 'на подтверждение'): void {
  if (!invoice.expiresAt) return;
  paragraph(parts, `Счёт действует до ${formatMoscowDateTime(invoice.expiresAt)}. Если его не отправить ${sendTo}, он будет удалён, а резерв снят.`);
}

function renderInvoiceExpiring(invoice: InvoiceState, ctx: RenderContext): RenderedEmail {
  const subject = `Счёт ${invoice.number} скоро будет удалён`;
  const parts = start(ctx);
  const when = invoice.expiresAt ? formatMoscowDateTime(invoice.expiresAt) : 'в ближайшее время';
  paragraph(
    parts,
    `Счёт ${invoice.number} (статус: ${STATUS_LABELS[invoice.status]}) будет автоматически удалён ${when}, а резерв товаров снят.`,
    'Чтобы сохранить резерв, отправьте счёт на отгрузку. Если счёт редактируется или изменён, отправьте его на подтверждение: срок действия начнётся заново.',
  );
  approvedLines(parts, invoice);
  totals(parts, invoice);
  invoiceLink(parts, invoice, ctx);
  return finish(subject, parts);
}

function renderInvoiceExpired(invoice: InvoiceState, ctx: RenderContext): RenderedEmail {
  const subject = `Счёт ${invoice.number} удалён`;
  const parts = start(ctx);
  paragraph(
    parts,
    `Срок действия счёта ${invoice.number} истёк: счёт удалён, резерв товаров снят.`,
    'Если товары по-прежнему нужны, оформите новый заказ в личном кабинете.',
  );
  approvedLines(parts, invoice, 'Позиции удалённого счёта');
  totals(parts, invoice);
  invoiceLink(parts, invoice, ctx);
  return finish(subject, parts);
}

function start(ctx: RenderContext): Parts {
  const hello = greeting(ctx.customerName);
  return { text: [hello], html: [`<p>${esc(hello)}</p>`] };
}

function finish(subject: string, parts: Parts): RenderedEmail {
  paragraph(parts, SIGNATURE);
  return { subject, text: parts.text.join('\n'), html: page(subject, parts.html.join('\n')) };
}

/** One paragraph; several lines are kept together (line breaks in HTML). */
function paragraph(parts: Parts, ...lines: string[]): void {
  parts.text.push('', ...lines);
  parts.html.push(`<p>${lines.map(esc).join('<br>')}</p>`);
}

function approvedLines(parts: Parts, invoice: InvoiceState, title = 'Подтверждённые позиции'): void {
  const lines = invoice.lines.filter((line) => line.approved > 0);
  parts.text.push('', `${title}:`);
  parts.html.push(`<h3>${esc(title)}</h3>`);
  if (lines.length === 0) {
    parts.text.push('нет');
    parts.html.push('<p>нет</p>');
    return;
  }
  parts.text.push(
    ...lines.map(
      (line, i) => `${i + 1}. ${lineTitle(line)} — ${line.approved} шт. × ${formatRoublesRu(line.priceKopecks)} = ${formatRoublesRu(lineTotal(line))}`,
    ),
  );
  const rows = lines
    .map(
      (line, i) =>
        `<tr><td>${i + 1}</td><td>${esc(line.article)}</td><td>${esc(lineName(line))}</td>` +
        `<td style="text-align:right">${esc(line.approved)}&nbsp;шт.</td>` +
        `<td style="text-align:right">${esc(formatRoublesRu(line.priceKopecks))}</td>` +
        `<td style="text-align:right">${esc(formatRoublesRu(lineTotal(line)))}</td></tr>`,
    )
    .join('');
  parts.html.push(
    `<table ${TABLE_ATTRS}><thead><tr><th>№</th><th>Артикул</th><th>Наименование</th><th>Количество</th><th>Цена</th><th>Сумма</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function rejectedLines(parts: Parts, invoice: InvoiceState): void {
  const lines = invoice.lines.filter((line) => rejectedQuantity(line) > 0);
  if (lines.length === 0) return;
  const title = 'Не подтверждено';
  parts.text.push(
    '',
    `${title}:`,
    ...lines.map((line, i) => `${i + 1}. ${lineTitle(line)} — ${rejectedQuantity(line)} шт. из ${line.requested}: ${rejectionText(line)}`),
  );
  const rows = lines
    .map(
      (line, i) =>
        `<tr><td>${i + 1}</td><td>${esc(line.article)}</td><td>${esc(lineName(line))}</td>` +
        `<td style="text-align:right">${esc(rejectedQuantity(line))}&nbsp;шт. из ${esc(line.requested)}</td>` +
        `<td>${esc(rejectionText(line))}</td></tr>`,
    )
    .join('');
  parts.html.push(
    `<h3>${esc(title)}</h3>`,
    `<table ${TABLE_ATTRS}><thead><tr><th>№</th><th>Артикул</th><th>Наименование</th><th>Не подтверждено</th><th>Причина</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function totals(parts: Parts, invoice: InvoiceState): void {
  const total = invoiceTotal(invoice.lines);
  const totalText = `Итого: ${formatRoublesRu(total)}`;
  const vatText = `в т.ч. НДС ${VAT_RATE_PERCENT}%: ${formatRoublesRu(vatIncluded(total))}`;
  parts.text.push('', totalText, vatText);
  parts.html.push(`<p><b>${esc(totalText)}</b><br>${esc(vatText)}</p>`);
}

function invoiceLink(parts: Parts, invoice: InvoiceState, ctx: RenderContext): void {
  link(parts, invoice.id, 'Открыть счёт', `Открыть счёт ${invoice.number}`, ctx);
}

/** A link to an invoice in the API by its id: "<textLabel>: <url>" in text, `htmlLabel` as the anchor. */
function link(parts: Parts, invoiceId: string, textLabel: string, htmlLabel: string, ctx: RenderContext): void {
  const url = `${ctx.publicUrl.replace(/\/+$/, '')}/v1/invoices/${encodeURIComponent(invoiceId)}`;
  parts.text.push('', `${textLabel}: ${url}`);
  parts.html.push(`<p><a href="${esc(url)}">${esc(htmlLabel)}</a></p>`);
}

function lineName(line: InvoiceLine): string {
  return line.characteristic ? `${line.name} (${line.characteristic})` : line.name;
}

function lineTitle(line: InvoiceLine): string {
  return `${line.article} ${lineName(line)}`;
}

/** Why part of a line was not approved, in the customer's words. */
function rejectionText(line: InvoiceLine): string {
  switch (line.reason) {
    case 'unknown_sku':
      return 'нет в каталоге';
    case 'out_of_stock':
      return line.approved > 0 ? `нет в наличии в нужном количестве (подтверждено ${line.approved} шт.)` : 'нет в наличии';
    case undefined:
      return 'не подтверждено';
    default:
      return assertNever(line.reason);
  }
}

// ---------------------------------------------------------------------------------------------
// documents

function renderDocumentReady(request: Extract<EmailRequest, { kind: 'document_ready' }>, ctx: RenderContext): RenderedEmail {
  const subject = `${request.title}: документ готов`;
  const parts = start(ctx);
  paragraph(parts, `Документ «${request.title}», который вы запросили, готов и приложен к письму: ${request.fileName}.`);
  const url = `${ctx.publicUrl.replace(/\/+$/, '')}/v1/documents/${encodeURIComponent(request.documentId)}/file`;
  parts.text.push('', `Он также доступен в разделе «Файлы» личного кабинета: ${url}`);
  parts.html.push(`<p>Он также доступен в разделе «Файлы» личного кабинета: <a href="${esc(url)}">${esc(request.fileName)}</a></p>`);
  return finish(subject, parts);
}

/** The customer asked for it, so a failure is reported as surely as a success. */
function renderDocumentFailed(request: Extract<EmailRequest, { kind: 'document_failed' }>, ctx: RenderContext): RenderedEmail {
  const subject = `${request.title}: документ не сформирован`;
  const parts = start(ctx);
  paragraph(parts, `Документ «${request.title}», который вы запросили, сформировать не удалось.`, `Причина: ${request.reason}`);
  paragraph(parts, 'Запросите его ещё раз в личном кабинете или обратитесь к своему менеджеру.');
  return finish(subject, parts);
}

/** To the customer's manager, not to the customer: the greeting names no one. */
function renderPaymentOrder(request: Extract<EmailRequest, { kind: 'payment_order' }>, ctx: RenderContext): RenderedEmail {
  const subject = `Платёжное поручение от ${ctx.customerName}`;
  const parts: Parts = { text: ['Здравствуйте!'], html: ['<p>Здравствуйте!</p>'] };
  paragraph(
    parts,
    `Клиент ${ctx.customerName} загрузил в личном кабинете платёжное поручение. Файл приложен к письму: ${request.fileName}.`,
    `Идентификатор загрузки: ${request.paymentOrderId}`,
    'Проверьте поступление и зарегистрируйте оплату.',
  );
  parts.text.push('', 'Письмо отправлено автоматически.');
  parts.html.push('<p>Письмо отправлено автоматически.</p>');
  return { subject, text: parts.text.join('\n'), html: page(subject, parts.html.join('\n')) };
}

// ---------------------------------------------------------------------------------------------
// shared pieces

const SIGNATURE = 'С уважением, отдел оптовых продаж';
const TABLE_ATTRS = 'cellpadding="4" cellspacing="0" border="1" style="border-collapse:collapse"';

const MOSCOW_DATE_TIME = new Intl.DateTimeFormat('ru-RU', {
  timeZone: 'Europe/Moscow',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2026-12-07T12:00:00Z" → "7 декабря 2026 г. в 15:00 (МСК)" */
export function formatMoscowDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${MOSCOW_DATE_TIME.format(date)} (МСК)`;
}

function greeting(customerName: string): string {
  return `Здравствуйте, ${customerName}!`;
}

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="ru"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    body,
    '</body></html>',
  ].join('\n');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for HTML text and double- or single-quoted attributes. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
