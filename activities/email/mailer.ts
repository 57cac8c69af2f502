import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { Resend } from 'resend';
import type { FailureCode } from '../../core/domain/failures.js';
import type { Config } from '../../runtime/config.js';

export interface MailMessage {
  /** Business idempotency key; sent to the provider as `Idempotency-Key`. */
  key: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer }[];
}

export interface MailResult {
  providerId: string | null;
  transport: 'resend' | 'outbox';
}

export interface Mailer {
  send(msg: MailMessage): Promise<MailResult>;
}

const EMAIL_REJECTED: FailureCode = 'email_rejected';
const UNAVAILABLE: FailureCode = 'unavailable';

/**
 * How long one call to the provider may take. The SDK has no timeout of its own; the activity's
 * start-to-close timeout (30 s, workflows/activities.ts) must outlast it so the attempt fails here,
 * with a retryable error, rather than being abandoned by Temporal while it still runs.
 */
export const SEND_TIMEOUT_MS = 10_000;

/** A provider's Retry-After is honoured up to this; longer waits fall back to the retry policy. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Resend when an API key is configured, otherwise the local outbox (a log line; the caller keeps
 * the full message in `email_log`).
 *
 * Errors: a temporary problem (network, a timeout after {@link SEND_TIMEOUT_MS}, HTTP 429, 5xx, a
 * concurrent request with the same key) throws a plain `Error`, which Temporal retries with the
 * activity's back-off; when the provider says when to come back (`Retry-After`, as Resend sends
 * with 429), it throws a retryable `ApplicationFailure` of type `unavailable` whose
 * `nextRetryDelay` is that wait. A permanent refusal (validation, bad address, bad API key) throws
 * a non-retryable `ApplicationFailure` of type `email_rejected`.
 */
export function createMailer(config: Config, logger: Logger): Mailer {
  const apiKey = config.email.resendApiKey;
  if (!apiKey) return createOutboxMailer(logger);
  return createResendMailer(apiKey, config, logger);
}

function createOutboxMailer(logger: Logger): Mailer {
  return {
    send(msg) {
      logger.info(
        { transport: 'outbox', key: msg.key, to: msg.to, subject: msg.subject, attachments: msg.attachments?.length ?? 0 },
        'email stored in the outbox (RESEND_API_KEY is not set)',
      );
      return Promise.resolve({ providerId: null, transport: 'outbox' });
    },
  };
}

function createResendMailer(apiKey: string, config: Config, logger: Logger): Mailer {
  // The SDK concatenates baseUrl and "/emails", so a trailing slash would produce "//emails".
  // Undefined keeps the SDK's default (which also honours RESEND_BASE_URL, the value config parsed).
  const baseUrl = config.email.resendBaseUrl?.replace(/\/+$/, '');
  const resend = new Resend(apiKey, baseUrl ? { baseUrl } : undefined);

  return {
    async send(msg) {
      let response: Awaited<ReturnType<typeof resend.emails.send>>;
      try {
        response = await resend.emails.send(
          {
            from: config.email.from,
            to: msg.to,
            subject: msg.subject,
            text: msg.text,
            html: msg.html,
            ...(msg.attachments && msg.attachments.length > 0
              ? { attachments: msg.attachments.map((a) => ({ filename: a.filename, content: a.content })) }
              : {}),
          },
          // The same key on every attempt: a retry after a timeout is not sent twice by the provider.
          { idempotencyKey: msg.key, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
        );
      } catch (err) {
        // The SDK turns fetch failures into `{ error }`, but an abort or a bug may still throw.
        const message = err instanceof Error ? err.message : String(err);
        logger.warn({ transport: 'resend', key: msg.key, err }, 'email send threw; will retry');
        throw new Error(`Resend: запрос не выполнен: ${message}`, { cause: err });
      }

      const { data, error, headers } = response;
      if (error) {
        const classified = classifyResendError(error);
        const log = { transport: 'resend', key: msg.key, to: msg.to, statusCode: error.statusCode, name: error.name, providerMessage: error.message };
        if (classified === 'retry') {
          const message = `Resend: временная ошибка (${describe(error)}): ${error.message}`;
          const retryAfterMs = parseRetryAfter(headers?.['retry-after']);
          logger.warn({ ...log, retryAfterMs }, 'email provider failed temporarily; will retry');
          if (retryAfterMs === undefined) throw new Error(message);
          throw ApplicationFailure.create({ message, type: UNAVAILABLE, nextRetryDelay: retryAfterMs, details: [{ statusCode: error.statusCode ?? null }] });
        }
        logger.error(log, 'email provider rejected the message');
        throw ApplicationFailure.nonRetryable(`Письмо отклонено почтовым сервисом (${describe(error)}): ${error.message}`, EMAIL_REJECTED, {
          statusCode: error.statusCode ?? null,
          name: error.name,
        });
      }

      logger.info({ transport: 'resend', key: msg.key, to: msg.to, subject: msg.subject, providerId: data.id }, 'email sent');
      return { providerId: data.id, transport: 'resend' };
    },
  };
}

/**
 * The error the SDK hands back. For a non-2xx answer with a JSON body it is that body verbatim
 * (Resend's `{ statusCode, name, message }`), so `statusCode` comes from the body, not from the
 * HTTP status line, and may be missing; a network failure is `application_error` with
 * `statusCode: null`.
 */
export interface ResendErrorLike {
  statusCode?: number | null;
  name?: string;
  message?: string;
}

/** Resend error names that mean "this request will never succeed as it is". */
const PERMANENT_NAMES = new Set([
  'validation_error',
  'missing_required_field',
  'invalid_from_address',
  'invalid_attachment',
  'invalid_parameter',
  'invalid_region',
  'invalid_access',
  'invalid_api_key',
  'restricted_api_key',
  'missing_api_key',
  'invalid_idempotency_key',
  'invalid_idempotent_request',
  'not_found',
  'method_not_allowed',
  'security_error',
]);

/** Names that mean "try again later" whatever the status says. */
const TEMPORARY_NAMES = new Set([
  'rate_limit_exceeded',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
  'concurrent_idempotent_requests',
  'internal_server_error',
  'application_error',
]);

export function classifyResendError(error: ResendErrorLike): 'retry' | 'reject' {
  const status = typeof error.statusCode === 'number' ? error.statusCode : null;
  const name = error.name ?? '';
  if (status === 429 || (status !== null && status >= 500)) return 'retry';
  // 409 concurrent_idempotent_requests: the first request with this key is still in flight.
  if (TEMPORARY_NAMES.has(name) && (status === null || status === 409 || status >= 500)) return 'retry';
  if (status !== null && status >= 400 && status < 500) return 'reject';
  if (status === null && PERMANENT_NAMES.has(name)) return 'reject';
  // No status and an unknown name (network failure, an unexpected body): assume temporary.
  return 'retry';
}

/**
 * `Retry-After` as delay-seconds or an HTTP date, in ms (at least 1 s: a zero delay would spin);
 * undefined when absent, unparsable or beyond {@link MAX_RETRY_AFTER_MS}.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms) || ms > MAX_RETRY_AFTER_MS) return undefined;
  return Math.max(ms, 1000);
}

function describe(error: ResendErrorLike): string {
  return [error.statusCode ?? 'без HTTP-статуса', error.name].filter(Boolean).join(' ');
}
