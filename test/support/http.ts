import { createClient } from '../../client/index.js';
import { signToken, type User } from '../../api/auth.js';
import { TEST_SECRET } from './fixtures.js';

type Fetcher = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny JSON client over `app.request` (or a real URL), signing as the given user. */
export function client(app: Fetcher, user?: User, secret = TEST_SECRET) {
  return async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const auth: Record<string, string> = user ? { Authorization: `Bearer ${await signToken(secret, user)}` } : {};
    const res = await app.request(path, {
      method,
      headers: { ...auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
}

export function overHttp(baseUrl: string): Fetcher {
  return { request: (path, init) => fetch(new URL(path, baseUrl), init) };
}

/** The typed client (`wholesale-orders/client`) over `app.request`, signing as the given user. */
export function typedClient(
  app: { request: (input: string | URL | Request, init?: RequestInit) => Response | Promise<Response> },
  user?: User,
  secret = TEST_SECRET,
) {
  return createClient({
    baseUrl: 'http://api.test',
    ...(user ? { token: () => signToken(secret, user) } : {}),
    fetch: async (input, init) => app.request(input, init),
  });
}
