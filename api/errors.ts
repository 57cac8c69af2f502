import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FAILURE_CODES, isFailureCode, type FailureCode } from '../core/domain/failures.js';
import { MAX_CART_LINES } from '../core/domain/limits.js';
import type { Logger } from '../runtime/logger.js';

/** HTTP status of every failure code; `satisfies` makes a new code without a status a type error. */
export const FAILURE_STATUS = {
  validation_failed: 400,
  malformed_body: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  method_not_allowed: 405,
  rate_limited: 429,
  too_many_lines: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  empty_cart: 422,
  unknown_sku: 422,
  invoice_locked: 409,
  invalid_transition: 409,
  version_conflict: 412,
  period_too_long: 422,
  file_too_large: 413,
  unsupported_file: 415,
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  invalid_stock: 422,
  email_rejected: 502,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<FailureCode, ContentfulStatusCode>;

/** Seconds a client should wait before retrying when a dependency is down. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

export interface FieldError {
  path: string;
  message: string;
}

/** A business failure raised at the edge; rendered as problem+json by `onError`. */
export class Problem extends Error {
  constructor(
    readonly code: FailureCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Extra response headers (`Retry-After`, `Allow`). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

export function problemBody(code: FailureCode, detail: string, instance?: string, errors?: FieldError[]) {
  return {
    type: `/problems/${code.replaceAll('_', '-')}`,
    title: FAILURE_CODES[code],
    status: FAILURE_STATUS[code],
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors ? { errors } : {}),
  };
}

export function problemResponse(c: Context, code: FailureCode, detail: string, errors?: FieldError[], headers: Record<string, string> = {}): Response {
  const all: Record<string, string> = { ...headers, 'Content-Type': 'application/problem+json' };
  if (code === 'unavailable') all['Retry-After'] ??= String(UNAVAILABLE_RETRY_AFTER_SECONDS);
  return c.body(JSON.stringify(problemBody(code, detail, c.req.path, errors)), FAILURE_STATUS[code], all);
}

/** The error and its causes (and the members of an AggregateError), outermost first. */
function* chain(err: unknown): Generator {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 16) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    yield current;
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
    if (current instanceof Error) queue.push(current.cause);
  }
}

/** Finds the ApplicationFailure a workflow or activity threw, however deep Temporal wrapped it. */
function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  for (const e of chain(err)) if (e instanceof ApplicationFailure) return e;
  return undefined;
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_CANCELLED = 1;

/** Socket-level failures: the peer is not there (or went away). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** PostgreSQL SQLSTATEs meaning "the server cannot serve you right now". */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '53400', '08000', '08001', '08003', '08004', '08006', '08P01']);
/** pg-pool and pg client messages for a pool that gives no connection or a connection that died. */
const PG_CONNECTION_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
];
/**
 * PostgreSQL refusing a value the client sent: NUL byte or invalid UTF-8 (22021, 22P05), a value
 * out of range (22003), text that is not the column type (22P02), too long (22001). Inputs are
 * validated before they reach SQL; these stay a 400 if one slips through.
 */
const PG_BAD_INPUT = new Set(['22021', '22P05', '22003', '22P02', '22001', '22007', '22008']);

function codeOf(e: unknown): string | number | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = e.code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

/** A dependency (Temporal, PostgreSQL) is unreachable, saturated or timed out. */
export function isUnavailable(err: unknown): boolean {
  for (const e of chain(err)) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && [GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED, GRPC_RESOURCE_EXHAUSTED, GRPC_CANCELLED].includes(e.code)) return true;
    if (e instanceof ServiceError && /Failed to connect|deadline|UNAVAILABLE/i.test(e.message)) return true;
    const code = codeOf(e);
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.has(code))) return true;
    if (e instanceof Error && PG_CONNECTION_MESSAGES.some((m) => e.message.includes(m))) return true;
  }
  return false;
}

/** The problem for an error thrown by the framework itself (body parsing, limits, media types). */
function frameworkProblem(err: HTTPException): Problem {
  switch (err.status) {
    case 413:
      return new Problem('payload_too_large', 'Тело запроса больше допустимого');
    case 415:
      return new Problem('unsupported_media_type', 'Этот адрес принимает Content-Type: application/json');
    case 405:
      return new Problem('method_not_allowed', 'Метод не поддерживается');
    case 401:
      return new Problem('unauthorized', 'Нужен действительный токен');
    default:
      if (err.status >= 400 && err.status < 500) return new Problem('malformed_body', `Тело запроса не разобрать: ${err.message}`);
      return new Problem('unavailable', 'Сервис временно недоступен');
  }
}

/** Turns any thrown error into a Problem; unknown errors become `internal` and are logged. */
export function toProblem(err: unknown, logger: Logger, requestId: string): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof HTTPException) return frameworkProblem(err);
  if (err instanceof WorkflowNotFoundError) return new Problem('not_found', 'Объект не найден');
  if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError || err instanceof ApplicationFailure) {
    const failure = applicationFailureOf(err);
    if (failure?.type && isFailureCode(failure.type)) return new Problem(failure.type, failure.message);
  }
  if (isUnavailable(err)) {
    logger.warn({ err, requestId }, 'dependency unavailable');
    return new Problem('unavailable', 'Сервис временно недоступен (база данных или Temporal): повторите запрос позже');
  }
  const pgCode = codeOf(err);
  if (pgCode === '23514' && (err as { constraint?: unknown }).constraint === 'cart_items_max_lines') {
    return new Problem('too_many_lines', `В корзине не больше ${MAX_CART_LINES} позиций: оформите заказ или уберите лишнее`);
  }
  if (typeof pgCode === 'string' && PG_BAD_INPUT.has(pgCode)) {
    logger.warn({ err, requestId }, 'database refused a value');
    return new Problem('validation_failed', 'Недопустимое значение в запросе');
  }
  logger.error({ err, requestId }, 'unhandled error');
  return new Problem('internal', `Внутренняя ошибка. Код запроса: ${requestId}`);
}
