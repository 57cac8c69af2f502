// invoice_created, invoice_status, invoice_expiring and invoice_expired.
import type { EmailRequest } from '../../../core/contracts/email.js';
import type { InvoiceState } from '../../../core/contracts/invoice.js';
import { STATUS_LABELS, type InvoiceStatus } from '../../../core/domain/invoice.js';
import { approvedLines, expiry, invoiceLink, link, reasonBlock, rejectedLines, totals } from './invoice-blocks.js';
import { finish, formatMoscowDateTime, paragraph, start, type RenderContext, type RenderedEmail } from './layout.js';

export function renderInvoiceCreated(invoice: InvoiceState, ctx: RenderContext): RenderedEmail {
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
export function renderInvoiceStatus(request: InvoiceStatusRequest, ctx: RenderContext): RenderedEmail {
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

export function renderInvoiceExpiring(invoice: InvoiceState, ctx: RenderContext): RenderedEmail {
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

export function renderInvoiceExpired(invoice: InvoiceState, ctx: RenderContext): RenderedEmail {
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
