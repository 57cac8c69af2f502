// A span per SQL statement, child of whatever span is current (an HTTP request, an activity).
// Written against @opentelemetry/api only: without a registered tracer provider (tracing off) the
// tracer is a no-op and this costs a few allocations per query. The ready-made pg instrumentation
// patches `pg` when it is require()d, which ESM imports (and tsx) do not go through.
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

const tracer = trace.getTracer('wholesale-orders/db');

/** Statements sent on behalf of the current unit of work (an HTTP request), when one counts them. */
const statements = new AsyncLocalStorage<{ count: number }>();

/** Runs `fn` counting the SQL statements it sends (database round trips): for the API's metrics. */
export async function countStatements(fn: () => Promise<void>): Promise<number> {
  const counter = { count: 0 };
  await statements.run(counter, fn);
  return counter.count;
}

/** The table a simple statement works on ("select … from "invoices"" → invoices), for the span name. */
const TABLE = /\b(?:from|into|update)\s+"?([a-z_][\w]*)"?/i;

function startQuerySpan(text: string): Span {
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  const table = TABLE.exec(text)?.[1];
  return tracer.startSpan(table ? `${operation} ${table}` : operation, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_OPERATION_NAME]: operation,
      // Kysely sends values as parameters: the text holds placeholders, never customer data.
      [ATTR_DB_QUERY_TEXT]: text,
      ...(table ? { [ATTR_DB_COLLECTION_NAME]: table } : {}),
    },
  });
}

function sqlText(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && 'text' in arg && typeof arg.text === 'string' && !('submit' in arg)) return arg.text;
  return undefined;
}

/**
 * Wraps one pooled client's `query` so each promise-returning statement (all Kysely sends) gets a
 * span; callback and streaming (cursor) calls pass through untouched.
 */
export function traceQueries(client: pg.ClientBase): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const traced = (...args: unknown[]): unknown => {
    const text = sqlText(args[0]);
    const counter = statements.getStore();
    if (counter) counter.count++;
    if (text === undefined || args.some((a) => typeof a === 'function')) return query(...args);
    const span = startQuerySpan(text);
    return (query(...args) as Promise<pg.QueryResult>).then(
      (result) => {
        span.end();
        return result;
      },
      (err: unknown) => {
        // PostgreSQL's SQLSTATE (40001, 23505, 57014 …) says more than the message.
        const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'error';
        span.setAttribute(ATTR_ERROR_TYPE, code);
        if (err instanceof Error) span.recordException(err);
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        span.end();
        throw err;
      },
    );
  };
  client.query = traced as typeof client.query;
}
