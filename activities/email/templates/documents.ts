// document_ready and document_failed: answers to a document the customer asked for.
import type { EmailRequest } from '../../../core/contracts/email.js';
import { esc, finish, paragraph, start, type RenderContext, type RenderedEmail } from './layout.js';

export function renderDocumentReady(request: Extract<EmailRequest, { kind: 'document_ready' }>, ctx: RenderContext): RenderedEmail {
  const subject = `${request.title}: документ готов`;
  const parts = start(ctx);
  paragraph(parts, `Документ «${request.title}», который вы запросили, готов и приложен к письму: ${request.fileName}.`);
  const url = `${ctx.publicUrl.replace(/\/+$/, '')}/v1/documents/${encodeURIComponent(request.documentId)}/file`;
  parts.text.push('', `Он также доступен в разделе «Файлы» личного кабинета: ${url}`);
  parts.html.push(`<p>Он также доступен в разделе «Файлы» личного кабинета: <a href="${esc(url)}">${esc(request.fileName)}</a></p>`);
  return finish(subject, parts);
}

/** The customer asked for it, so a failure is reported as surely as a success. */
export function renderDocumentFailed(request: Extract<EmailRequest, { kind: 'document_failed' }>, ctx: RenderContext): RenderedEmail {
  const subject = `${request.title}: документ не сформирован`;
  const parts = start(ctx);
  paragraph(parts, `Документ «${request.title}», который вы запросили, сформировать не удалось.`, `Причина: ${request.reason}`);
  paragraph(parts, 'Запросите его ещё раз в личном кабинете или обратитесь к своему менеджеру.');
  return finish(subject, parts);
}
