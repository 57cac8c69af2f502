// payment_order: the customer's uploaded payment order, sent to their manager.
import type { EmailRequest } from '../../../core/contracts/email.js';
import { page, paragraph, type Parts, type RenderContext, type RenderedEmail } from './layout.js';

/** To the customer's manager, not to the customer: the greeting names no one. */
export function renderPaymentOrder(request: Extract<EmailRequest, { kind: 'payment_order' }>, ctx: RenderContext): RenderedEmail {
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
