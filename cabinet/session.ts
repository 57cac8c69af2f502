import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { decode } from 'hono/jwt';
import { createClient } from '../client/index.js';

/**
 * Who is signed in: a bearer token the API itself verifies on every call. The cabinet never checks
 * the signature (it holds no key): it decodes the claims only to choose what to show, and every
 * answer it renders comes from the API under that token.
 */

export const COOKIE = 'cabinet_token';
/** Cookie lifetime; the token's own `exp` still decides at the API. */
const COOKIE_MAX_AGE_SECONDS = 12 * 3600;

/** A request to the API: the same process's app (`app.request`), or `fetch` to a remote one. */
export type ApiFetch = (request: Request) => Response | Promise<Response>;

export interface Claims {
  sub: string;
  role: string;
  customerId?: string;
}

export type CabinetClient = ReturnType<typeof createClient>;

export interface Session {
  claims: Claims;
  client: CabinetClient;
  /** `header`: a portal in front sends `Authorization` on each request; nothing is stored here. */
  source: 'cookie' | 'header';
}

export type CabinetEnv = { Variables: { session: Session | undefined; requestId: string } };

/** The claims the cabinet reads, or undefined for anything that is not a JWT with sub and role. */
export function claimsOf(token: string): Claims | undefined {
  try {
    const { payload } = decode(token);
    const { sub, role, customerId } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || typeof role !== 'string') return undefined;
    return { sub, role, ...(typeof customerId === 'string' ? { customerId } : {}) };
  } catch {
    return undefined;
  }
}

/** The typed API client acting as the holder of `token`; requests never leave the process when `fetch` is the app's. */
export function clientFor(apiFetch: ApiFetch, token: string, requestId?: string): CabinetClient {
  return createClient({
    // Only the path matters to `app.request`; a remote API would be named here.
    baseUrl: 'http://cabinet.internal',
    token,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      // One id across the page and the API calls it made, in the logs of both.
      if (requestId && !request.headers.has('x-request-id')) request.headers.set('X-Request-Id', requestId);
      return apiFetch(request);
    },
  });
}

function bearer(c: Context): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '');
  return match?.[1];
}

/** Puts the session (if any) into the context: the Authorization header first, then the cookie. */
export function loadSession(apiFetch: ApiFetch): MiddlewareHandler<CabinetEnv> {
  return async (c, next) => {
    const fromHeader = bearer(c);
    const token = fromHeader ?? getCookie(c, COOKIE);
    const claims = token ? claimsOf(token) : undefined;
    c.set(
      'session',
      token && claims ? { claims, client: clientFor(apiFetch, token, c.get('requestId')), source: fromHeader ? 'header' : 'cookie' } : undefined,
    );
    await next();
  };
}

/** The signed-in session, or a redirect to the sign-in page (htmx follows `HX-Redirect`). */
export function requireSession(): MiddlewareHandler<CabinetEnv> {
  return async (c, next) => {
    if (c.get('session')) {
      await next();
      return;
    }
    if (c.req.header('HX-Request')) {
      c.header('HX-Redirect', '/cabinet/login');
      return c.body(null, 401);
    }
    // Back where the person was going after signing in (an emailed link, a bookmarked page).
    const url = new URL(c.req.url);
    const going = c.req.method === 'GET' ? `${url.pathname}${url.search}` : undefined;
    return c.redirect(going && safeNext(going) ? `/cabinet/login?next=${encodeURIComponent(going)}` : '/cabinet/login', 303);
  };
}

/** A page of the cabinet to go to after signing in, or undefined: never another site, never the sign-in itself. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 500) return undefined;
  if (!/^\/cabinet\/[\w\-/?=&%.]*$/.test(next) || next.includes('//') || next.includes('..') || /^\/cabinet\/log(in|out)\b/.test(next)) return undefined;
  return next;
}

export function session(c: Context<CabinetEnv>): Session {
  const s = c.get('session');
  if (!s) throw new Error('requireSession() must run before this handler');
  return s;
}

export function startSession(c: Context, token: string): void {
  setCookie(c, COOKIE, token, {
    path: '/cabinet',
    httpOnly: true,
    sameSite: 'Lax',
    // Behind a TLS-terminating proxy the request URL says http: the proxy's X-Forwarded-Proto
    // tells. Trusting it can only make the cookie stricter.
    secure: new URL(c.req.url).protocol === 'https:' || c.req.header('X-Forwarded-Proto') === 'https',
    maxAge: COOKIE_MAX_AGE_SECONDS,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, COOKIE, { path: '/cabinet' });
}
