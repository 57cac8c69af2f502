import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import type { EmailRequest } from '../core/contracts/email.js';
import type { FailureCode } from '../core/domain/failures.js';
import type { Config } from '../runtime/config.js';
import type { Mailer } from './email/mailer.js';
import { isStatusEmail, renderEmail } from './email/templates.js';
import { findCustomerContacts } from '../db/customers.repository.js';
import { isEmailLogged, logEmail } from '../db/email-log.repository.js';
import { readDocumentFile } from '../db/documents.repository.js';
import { readPaymentOrder } from '../db/payments.repository.js';

const NOT_FOUND: FailureCode = 'not_found';
const EMAIL_REJECTED: FailureCode = 'email_rejected';

export interface EmailActivityDeps {
  db: Db;
  mailer: Mailer;
  config: Config;
}

export function createEmailActivities(deps: EmailActivityDeps) {
  const { db, mailer, config } = deps;
  const attachmentsOf = (request: EmailRequest) => loadAttachments(db, request);

  return {
    /**
     * Sends the email once per `request.key`: a key already in `email_log` is a no-op, and the
     * provider gets the same key as its idempotency key, so a retry after a crash between the
     * send and the log insert does not send twice either. Status emails to a customer with
     * notifications off are logged as 'skipped' and not sent; a message the provider refuses for
     * good is logged as 'failed' (and the non-retryable failure rethrown).
     */
    async sendEmail(request: EmailRequest): Promise<void> {
      if (await isEmailLogged(db, request.key)) return;

      const customer = await findCustomerContacts(db, request.customerId);
      if (!customer) {
        throw ApplicationFailure.nonRetryable(`Клиент ${request.customerId} не найден: письмо ${request.kind} не отправлено`, NOT_FOUND);
      }

      const rendered = renderEmail(request, { customerName: customer.name, publicUrl: config.publicUrl });
      // Payment orders go to the customer's manager; everything else to the customer.
      const to = request.kind === 'payment_order' ? customer.managerEmail : customer.email;
      const entry = { key: request.key, kind: request.kind, to, ...rendered };

      if (!customer.emailNotifications && isStatusEmail(request.kind)) {
        await logEmail(db, { ...entry, status: 'skipped', providerId: null });
        return;
      }

      const attachments = await attachmentsOf(request);
      let result: Awaited<ReturnType<Mailer['send']>>;
      try {
        result = await mailer.send({ key: request.key, to, ...rendered, ...(attachments ? { attachments } : {}) });
      } catch (err) {
        // A permanent refusal is final: record it so it is visible (admin outbox) and never retried.
        if (err instanceof ApplicationFailure && err.type === EMAIL_REJECTED) {
          await logEmail(db, { ...entry, status: 'failed', providerId: null });
        }
        throw err;
      }

      await logEmail(db, { ...entry, status: result.transport === 'resend' ? 'sent' : 'outbox', providerId: result.providerId });
    },
  };
}

/** Files travel by id: the bytes are read from PostgreSQL here, never carried in the request. */
async function loadAttachments(db: Db, request: EmailRequest): Promise<{ filename: string; content: Buffer }[] | undefined> {
  if (request.kind === 'document_ready') {
    const file = await readDocumentFile(db, request.documentId, request.customerId);
    if (!file) throw ApplicationFailure.nonRetryable(`Файл документа ${request.documentId} не найден`, NOT_FOUND);
    return [{ filename: file.fileName, content: file.content }];
  }
  if (request.kind === 'payment_order') {
    const order = await readPaymentOrder(db, request.paymentOrderId);
    if (order?.customerId !== request.customerId) throw ApplicationFailure.nonRetryable(`Платёжное поручение ${request.paymentOrderId} не найдено`, NOT_FOUND);
    return [{ filename: order.fileName, content: order.content }];
  }
  return undefined;
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
