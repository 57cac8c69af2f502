// waitlist_offer: a SKU the customer asked to be told about ("сообщить о поступлении") came in.
import type { EmailRequest } from '../../../core/contracts/email.js';
import { esc, finish, formatMoscowDateTime, paragraph, start, type RenderContext, type RenderedEmail } from './layout.js';

/** Always sent (the customer asked for it): what is kept, until when, and where to take it. */
export function renderWaitlistOffer(request: Extract<EmailRequest, { kind: 'waitlist_offer' }>, ctx: RenderContext): RenderedEmail {
  const subject = `Товар поступил: ${request.name}`;
  const parts = start(ctx);
  paragraph(
    parts,
    `Поступил товар, о котором вы просили сообщить: ${request.name} (${request.sku}).`,
    `Для вас отложено ${request.held} шт. до ${formatMoscowDateTime(request.holdUntil)} (МСК).`,
  );
  paragraph(parts, 'Добавьте его в новый заказ или в открытый счёт в разделе «Лист ожидания»; после этого срока резерв перейдёт следующему в очереди.');
  const url = `${ctx.publicUrl.replace(/\/+$/, '')}/cabinet/waitlist`;
  parts.text.push('', `Лист ожидания: ${url}`);
  parts.html.push(`<p><a href="${esc(url)}">Открыть лист ожидания</a></p>`);
  return finish(subject, parts);
}
