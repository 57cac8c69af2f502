/**
 * The typed client of the HTTP API (`import { createClient } from 'wholesale-orders/client'`).
 *
 * Its types come from the server's own routes (`AppType`: the zod-openapi schemas that validate
 * requests), so a route change that breaks a caller fails the caller's type check. Only
 * `hono/client` is loaded at run time; everything from `api/` is a type (lint zone `client/`).
 */
import { hc, type ClientResponse } from 'hono/client';
import type { AppType } from '../api/app.js';
import type { ProblemBody } from '../api/router.js';

/** An `application/problem+json` answer (RFC 9457) with the API's stable `code`. */
export type Problem = ProblemBody;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Where the API answers, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The bearer JWT, or a function giving a fresh one per request (tokens expire). */
  token?: string | (() => string | Promise<string>);
  /** Defaults to the global `fetch`; tests pass `app.request` to skip the socket. */
  fetch?: FetchLike;
}

/** Methods the API treats as writes: they get an `Idempotency-Key` unless the caller gave one. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Adds what every call needs: the bearer token, and on writes a fresh Idempotency-Key, so a write
 * the network cut off can be retried by the caller with the same key (`options.headers`) and
 * still happen once. A key given per call (any letter case) is kept.
 */
function withDefaults(next: FetchLike, token: ClientOptions['token']): FetchLike {
  return async (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (token !== undefined && !headers.has('authorization')) {
      headers.set('Authorization', `Bearer ${typeof token === 'function' ? await token() : token}`);
    }
    if (UNSAFE_METHODS.has(method) && !headers.has('idempotency-key')) headers.set('Idempotency-Key', crypto.randomUUID());
    return next(input, { ...init, headers });
  };
}

// Every answer of a typed call is a union of ClientResponse, one member per declared status.
type AnyClientResponse = ClientResponse<unknown, number>;
/** The members of the union that can be a success (a file download is typed with any status). */
type SuccessOf<R> = R extends { ok: false } ? never : R;
/** What a success carries: parsed JSON, or the bytes of a file download (declared as a raw Response). */
type DataOf<R> = R extends ClientResponse<infer T, number, infer F> ? (T extends Response ? Blob : F extends 'json' ? T : string) : never;

export type SuccessData<R> = DataOf<SuccessOf<R>>;
/** What a route answers on success: `ResponseData<Api['v1']['invoices'][':id']['$get']>` is an invoice. */
export type ResponseData<F extends (...args: never[]) => Promise<unknown>> = SuccessData<Awaited<ReturnType<F>>>;

export type CallResult<R> =
  { ok: true; status: number; data: SuccessData<R>; response: Response } | { ok: false; status: number; problem: Problem; response: Response };

/** The server (or something in front of it) answered an error that is not problem+json. */
export class UnexpectedResponseError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status} without a problem+json body: ${body.slice(0, 200)}`);
    this.name = 'UnexpectedResponseError';
  }
}

/** A problem answer raised by `unwrap`. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly response: Response,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'ProblemError';
  }
}

const isJson = (response: Response) => /[/+]json\b/.test(response.headers.get('content-type') ?? '');

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.status === 'number' && typeof v.title === 'string' && typeof v.detail === 'string';
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text();
  if (isJson(response)) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isProblem(parsed)) return parsed;
    } catch {
      // not JSON after all: reported below
    }
  }
  throw new UnexpectedResponseError(response.status, text);
}

/**
 * Awaits a typed call and reads its body: `{ ok: true, data }` for a 2xx (JSON parsed, a file as a
 * Blob), `{ ok: false, problem }` for a problem+json error. The body is consumed; `response` still
 * has the status and headers (`Location`, `ETag`, `Idempotent-Replayed`). Network failures and
 * errors without a problem body throw.
 */
export async function call<R extends AnyClientResponse>(request: Promise<R>): Promise<CallResult<R>> {
  const response = (await request) as unknown as Response;
  if (response.ok) {
    const data = (isJson(response) ? await response.json() : await response.blob()) as SuccessData<R>;
    return { ok: true, status: response.status, data, response };
  }
  return { ok: false, status: response.status, problem: await readProblem(response), response };
}

/** Like `call`, for callers that treat any problem as an exception: the data, or a ProblemError. */
export async function unwrap<R extends AnyClientResponse>(request: Promise<R>): Promise<SuccessData<R>> {
  const result = await call(request);
  if (result.ok) return result.data;
  throw new ProblemError(result.problem, result.response);
}

type Args = { param?: Record<string, unknown> } | undefined;

/**
 * hc puts path parameters into the URL as they are; a SKU may hold "/" (and Cyrillic), so each
 * one is percent-encoded here and the server decodes it back. Wraps every `$get`/`$post`/`$url`…
 */
function encodingParams<T>(node: T): T {
  if (typeof node !== 'function') return node;
  return new Proxy(node, {
    get(target, key) {
      const child: unknown = Reflect.get(target, key);
      if (typeof key !== 'string' || typeof child !== 'function') return child;
      if (!key.startsWith('$')) return encodingParams(child);
      const method = child as (args: Args, ...rest: unknown[]) => unknown;
      return (args: Args, ...rest: unknown[]) => {
        if (!args?.param) return method(args, ...rest);
        const param = Object.fromEntries(Object.entries(args.param).map(([k, v]) => [k, encodeURIComponent(String(v))]));
        return method({ ...args, param }, ...rest);
      };
    },
  });
}

/** The typed API tree: `api.v1.invoices[':id'].submit.$post({ param: { id }, header: {} })`. */
export type Api = ReturnType<typeof hc<AppType>>;

/**
 * A client for one caller (one token). `api` mirrors the routes; wrap a call in `call()` or
 * `unwrap()` to get typed data or a typed problem. Per-call headers go in the second argument:
 * `api.v1.cart.checkout.$post({ json }, { headers: { 'Idempotency-Key': key } })`.
 */
export function createClient(options: ClientOptions): { api: Api; call: typeof call; unwrap: typeof unwrap } {
  const api = encodingParams(hc<AppType>(options.baseUrl, { fetch: withDefaults(options.fetch ?? fetch, options.token) }));
  return { api, call, unwrap };
}
