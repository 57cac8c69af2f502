import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `POST /emails` the fake received (accepted or failed). */
export interface FakeResendRequest {
  key: string | undefined;

  body: any;
  /** The HTTP status the fake answered with (200 also for an accepted request it never answered). */
  status: number;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** This request made the fake send a new email (a repeat of a key only replays the first id). */
  delivered: boolean;
}

export interface FakeResend {
  /** Base URL to pass as RESEND_BASE_URL / `config.email.resendBaseUrl`. */
  url: string;
  /** Every `POST /emails` in arrival order, including the ones told to fail. */
  emails: FakeResendRequest[];
  /**
   * The next `n` requests answer `status` with Resend's error JSON (and a `Retry-After` header
   * when `retryAfterSeconds` is given, as Resend sends with 429).
   */
  failNext(n: number, status: number, opts?: { retryAfterSeconds?: number }): void;
  /**
   * The next `n` requests are accepted (the email is sent) but answered only after `delayMs`: a
   * provider that times out after doing the work. A connection the client dropped is not answered.
   */
  hangNext(n: number, delayMs: number): void;
  close(): Promise<void>;
}

/** Resend's error name for a status, as its API reports it in `{ statusCode, name, message }`. */
const ERROR_NAMES: Record<number, string> = {
  400: 'validation_error',
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  409: 'concurrent_idempotent_requests',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
};

/**
 * A local stand-in for the part of Resend's REST API the SDK uses to send: `POST /emails`.
 * Like Resend, a repeated `Idempotency-Key` with the same payload returns the first email's id
 * (and is not sent again); the same key with a different payload is a 409.
 */
export async function startFakeResend(): Promise<FakeResend> {
  const emails: FakeResendRequest[] = [];
  const idsByKey = new Map<string, { id: string; payload: string }>();
  let failures: { remaining: number; status: number; retryAfterSeconds?: number } = { remaining: 0, status: 500 };
  let hangs = { remaining: 0, delayMs: 0 };
  const pendingTimers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      reply(res, 500, errorBody(500, err instanceof Error ? err.message : String(err)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/emails') {
      reply(res, 404, { statusCode: 404, name: 'not_found', message: 'The requested endpoint does not exist.' });
      return;
    }

    const keyHeader = req.headers['idempotency-key'];
    const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const record: FakeResendRequest = { key, body, status: 200, at: Date.now(), delivered: false };
    emails.push(record);

    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      reply(res, status, payload, headers);
    };

    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      answer(
        401,
        errorBody(401, 'Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY'),
      );
      return;
    }
    if (failures.remaining > 0) {
      failures = { ...failures, remaining: failures.remaining - 1 };
      const headers: Record<string, string> = failures.retryAfterSeconds !== undefined ? { 'retry-after': String(failures.retryAfterSeconds) } : {};
      answer(failures.status, errorBody(failures.status, `Fake failure with status ${failures.status}.`), headers);
      return;
    }
    if (key !== undefined) {
      const seen = idsByKey.get(key);
      if (seen && seen.payload !== raw) {
        answer(409, { statusCode: 409, name: 'invalid_idempotent_request', message: 'Same idempotency key used with a different request payload.' });
        return;
      }
      if (seen) {
        answer(200, { id: seen.id });
        return;
      }
    }
    const id = randomUUID();
    if (key !== undefined) idsByKey.set(key, { id, payload: raw });
    record.delivered = true;
    if (hangs.remaining > 0) {
      hangs = { ...hangs, remaining: hangs.remaining - 1 };
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        if (!res.destroyed) answer(200, { id });
      }, hangs.delayMs);
      pendingTimers.add(timer);
      return;
    }
    answer(200, { id });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    emails,
    failNext(n, status, opts = {}) {
      failures = { remaining: n, status, ...(opts.retryAfterSeconds !== undefined ? { retryAfterSeconds: opts.retryAfterSeconds } : {}) };
    },
    hangNext(n, delayMs) {
      hangs = { remaining: n, delayMs };
    },
    close() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function errorBody(status: number, message: string): { statusCode: number; name: string; message: string } {
  return { statusCode: status, name: ERROR_NAMES[status] ?? (status >= 500 ? 'internal_server_error' : 'validation_error'), message };
}

function reply(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(payload);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
