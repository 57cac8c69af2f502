// order_placed: the order as the customer placed it, before the stock check.
import type { OrderLineInput } from '../../../core/contracts/order.js';
import { TABLE_ATTRS, esc, finish, paragraph, start, type RenderContext, type RenderedEmail } from './layout.js';

export function renderOrderPlaced(orderId: string, lines: readonly OrderLineInput[], ctx: RenderContext): RenderedEmail {
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
