// Blocks the invoice emails are built from: lines, totals, expiry, reasons and links.
import type { InvoiceState } from '../../../core/contracts/invoice.js';
import { invoiceTotal, lineTotal, rejectedQuantity, type InvoiceLine } from '../../../core/domain/invoice.js';
import { VAT_RATE_PERCENT, formatRoublesRu, vatIncluded } from '../../../core/domain/money.js';
import { TABLE_ATTRS, assertNever, esc, formatMoscowDateTime, paragraph, type Parts, type RenderContext } from './layout.js';

/** The reason someone else gave, line by line; nothing when it is empty. */
export function reasonBlock(parts: Parts, reason: string | undefined, label: string): void {
  const lines = (reason ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 0) return;
  const [first = '', ...rest] = lines;
  paragraph(parts, `${label}: ${first}`, ...rest);
}

/** When an invoice waiting on the customer expires, and what to do so it does not. */
export function expiry(parts: Parts, invoice: InvoiceState, sendTo: 'на отгрузку' | 'на подтверждение'): void {
  if (!invoice.expiresAt) return;
  paragraph(parts, `Счёт действует до ${formatMoscowDateTime(invoice.expiresAt)}. Если его не отправить ${sendTo}, он будет удалён, а резерв снят.`);
}

export function approvedLines(parts: Parts, invoice: InvoiceState, title = 'Подтверждённые позиции'): void {
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

export function rejectedLines(parts: Parts, invoice: InvoiceState): void {
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

export function totals(parts: Parts, invoice: InvoiceState): void {
  const total = invoiceTotal(invoice.lines);
  const totalText = `Итого: ${formatRoublesRu(total)}`;
  const vatText = `в т.ч. НДС ${VAT_RATE_PERCENT}%: ${formatRoublesRu(vatIncluded(total))}`;
  parts.text.push('', totalText, vatText);
  parts.html.push(`<p><b>${esc(totalText)}</b><br>${esc(vatText)}</p>`);
}

export function invoiceLink(parts: Parts, invoice: InvoiceState, ctx: RenderContext): void {
  link(parts, invoice.id, 'Открыть счёт', `Открыть счёт ${invoice.number}`, ctx);
}

/** A link to an invoice in the API by its id: "<textLabel>: <url>" in text, `htmlLabel` as the anchor. */
export function link(parts: Parts, invoiceId: string, textLabel: string, htmlLabel: string, ctx: RenderContext): void {
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
