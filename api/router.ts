import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/database.js';
import type { FailureCode } from '../core/domain/failures.js';
import { MAX_LINE_QUANTITY } from '../core/domain/limits.js';
import type { Config } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import type { User } from './auth.js';
import { Problem, problemBody } from './errors.js';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
}

/** `idempotencyId`: the request's Temporal id derived from its scoped Idempotency-Key (see idempotency.ts). */
export type AppEnv = { Variables: { user: User; requestId: string; idempotencyId: string | undefined } };

// Field messages in Russian, like every other reason the API gives (the users' language); a
// schema's own message still wins. Process-wide: zod has one configuration.
z.config(z.locales.ru());

/** A router whose request validation failures become one problem+json listing every field. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = result.error.issues.map((issue) => ({
          path: [result.target, ...issue.path.map(String)].join('.'),
          message: issue.message,
        }));
        throw new Problem('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
      }
      return undefined;
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { example: problemBody('not_found', 'Счёт не найден') });

/** The problem+json body as clients read it (`client/`): `code` is one of the closed vocabulary. */
export type ProblemBody = Omit<z.infer<typeof ProblemSchema>, 'code'> & { code: FailureCode };

/** An error answer of a route: problem+json, so the typed client sees a Problem for that status too. */
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error answers most routes can give, for the OpenAPI document. */
export const commonErrors = {
  400: problem('Validation failed'),
  401: problem('Missing or invalid token'),
  403: problem('Role not allowed'),
  404: problem("Not found (or another company's)"),
};

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const Money = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .openapi({ example: '149.90', description: 'roubles, two fraction digits' });
/** Money as clients send it: a non-negative rouble amount with up to two fraction digits. */
export const MoneyInput = z
  .string()
  .regex(/^(0|[1-9]\d{0,11})(\.\d{1,2})?$/, 'неотрицательная сумма в рублях, например 149.90')
  .openapi({ example: '149.90' });
export const Sku = z
  .string()
  .min(1)
  .max(64)
  // Explicit ranges (Latin, Latin-1 and Extended-A/B, Cyrillic) rather than \p{L}: the pattern is
  // published in /openapi.json, and clients and fuzzers must be able to read it.
  .regex(/^[0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0400-\u04FF._\-/]+$/, 'letters (Latin, Cyrillic), digits, . _ - /')
  .openapi({ example: 'ЛГ-101-S-BLK' });
export const Quantity = z.number().int('целое число').min(0, 'не меньше 0').max(MAX_LINE_QUANTITY);
export const PositiveQuantity = z.number().int('целое число').min(1, 'больше 0').max(MAX_LINE_QUANTITY);

/** How a line names its product, wherever lines are shown (invoices, realizations). */
export const ProductLineSchema = z.object({ sku: z.string(), article: z.string(), name: z.string(), characteristic: z.string().nullable() });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, length: number): string[] | undefined {
  if (!cursor) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(parts) && parts.length === length && parts.every((p) => typeof p === 'string')) return parts;
  } catch {
    // fall through
  }
  throw new Problem('validation_failed', 'Неверный cursor', [{ path: 'query.cursor', message: 'invalid cursor' }]);
}
