import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FAILURE_CODES, isFailureCode, type FailureCode } from '../src/domain/failures.js';
import type { Logger } from '../src/runtime/logger.js';

/** HTTP status of every failure code; `satisfies` makes a new code without a status a type error. */
export const FAILURE_STATUS = {
  validation_failed: 400,
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

export function problemResponse(c: Context, code: FailureCode, detail: string, errors?: FieldError[]): Response {
  return c.body(JSON.stringify(problemBody(code, detail, c.req.path, errors)), FAILURE_STATUS[code], {
    'Content-Type': 'application/problem+json',
  });
}

/** Finds the ApplicationFailure a workflow or activity threw, however deep Temporal wrapped it. */
function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = current.cause;
  }
  return undefined;
}

/** Turns any thrown error into a Problem; unknown errors become `internal` and are logged. */
export function toProblem(err: unknown, logger: Logger, requestId: string): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof WorkflowNotFoundError) return new Problem('not_found', 'Объект не найден');
  if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError || err instanceof ApplicationFailure) {
    const failure = applicationFailureOf(err);
    if (failure?.type && isFailureCode(failure.type)) return new Problem(failure.type, failure.message);
  }
  logger.error({ err, requestId }, 'unhandled error');
  return new Problem('internal', `Внутренняя ошибка. Код запроса: ${requestId}`);
}
