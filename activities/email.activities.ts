import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import type { EmailRequest } from '../src/contracts/email.js';
import type { FailureCode } from '../src/domain/failures.js';
import type { Config } from '../src/runtime/config.js';
import type { Mailer } from './email/mailer.js';
import { isStatusEmail, renderEmail } from './email/templates.js';

const NOT_FOUND: FailureCode = 'not_found';

export interface EmailActivityDeps {
  db: Db;
  mailer: Mailer;
  config: Config;
}

export function createEmailActivities(deps: EmailActivityDeps) {
  const { db, mailer, config } = deps;

  return {
    /**
     * Sends the email once per `request.key`: a key already in `email_log` is a no-op, and the
     * provider gets the same key as its idempotency key, so a retry after a crash between the
     * send and the log insert does not send twice either. Status emails to a customer with
     * notifications off are logged as 'skipped' and not sent.
     */
    async sendEmail(request: EmailRequest): Promise<void> {
      const logged = await db.selectFrom('email_log').select('key').where('key', '=', request.key).executeTakeFirst();
      if (logged) return;

      const customer = await db
        .selectFrom('customers')
        .select(['name', 'email', 'email_notifications'])
        .where('id', '=', request.customerId)
        .executeTakeFirst();
      if (!customer) {
        throw ApplicationFailure.nonRetryable(`Клиент ${request.customerId} не найден: письмо ${request.kind} не отправлено`, NOT_FOUND);
      }

      const rendered = renderEmail(request, { customerName: customer.name, publicUrl: config.publicUrl });
      const row = { key: request.key, kind: request.kind, to_address: customer.email, ...rendered };

      if (!customer.email_notifications && isStatusEmail(request.kind)) {
        await db
          .insertInto('email_log')
          .values({ ...row, status: 'skipped', provider_id: null })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        return;
      }

      const result = await mailer.send({ key: request.key, to: customer.email, ...rendered });

      await db
        .insertInto('email_log')
        .values({ ...row, status: result.transport === 'resend' ? 'sent' : 'outbox', provider_id: result.providerId })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
