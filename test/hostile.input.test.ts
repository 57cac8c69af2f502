import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../runtime/server.js';
import { createLogger } from '../runtime/logger.js';
import { addProduct, bearer, customerUser } from './support/fixtures.js';
import { invoiceFromCart } from './support/hostile.js';
import { newCustomer } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
let customer: Awaited<ReturnType<typeof newCustomer>>;
let auth: Record<string, string>;
let invoiceId: string;
let otherInvoiceId: string;

beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'HOST-1', { onHand: 100 });
  customer = await newCustomer(s);
  auth = await bearer(customerUser(customer.id));
  invoiceId = await invoiceFromCart(customer.call, { 'HOST-1': 2 });
  otherInvoiceId = await invoiceFromCart(customer.call, { 'HOST-1': 1 });
});
afterAll(() => s.stop());

async function send(method: string, path: string, body: BodyInit | undefined, contentType = 'application/json', extra: Record<string, string> = {}) {
  const res = await s.app.request(path, {
    method,
    headers: { ...auth, ...(contentType ? { 'Content-Type': contentType } : {}), ...extra },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, body: JSON.parse(text || 'null') as Record<string, unknown> };
}

/** Every answer to a malformed request: a 4xx problem+json with a code from the closed vocabulary. */
function expectProblem(reply: Awaited<ReturnType<typeof send>>, status: number, code: string) {
  expect(reply.type).toBe('application/problem+json');
  expect(reply.body).toMatchObject({ status, code });
  expect(reply.status).toBe(status);
}

describe('malformed requests (the ones issue 10 lists) get 4xx problem+json, never 500', () => {
  const routes = () => [
    ['PUT', '/v1/settings'],
    ['POST', '/v1/cart/checkout'],
    ['PATCH', `/v1/invoices/${invoiceId}`],
    ['POST', '/v1/invoices/merge'],
  ];

  it.each([
    ['{', 'malformed_body'],
    ['[1,', 'malformed_body'],
    ['not json', 'malformed_body'],
    ['\u0000', 'malformed_body'],
    ['{"emailNotifications":"\u0000"}', 'malformed_body'], // a raw NUL inside a string is not JSON
  ])('body %j → 400 %s on every JSON route', async (body, code) => {
    for (const [method, path] of routes()) expectProblem(await send(method ?? '', path ?? '', body), 400, code);
  });

  it('a JSON string holding \\u0000 is refused before it reaches PostgreSQL', async () => {
    for (const [method, path] of routes()) {
      const reply = await send(method ?? '', path ?? '', JSON.stringify({ target: 'new', lines: [{ sku: 'a\u0000b', quantity: 1 }], invoiceIds: ['\u0000'] }));
      expectProblem(reply, 400, 'validation_failed');
    }
    const sku = await send('PUT', `/v1/cart/items/${encodeURIComponent('HOST-1')}`, JSON.stringify({ quantity: 1, note: 'x\u0000' }));
    expectProblem(sku, 400, 'validation_failed');
  });

  it("a field's own reason is in Russian, like every other refusal", async () => {
    const reply = await send('POST', '/v1/documents', JSON.stringify({ type: 'sales', from: '2026-13-40', to: 'вчера' }));
    expectProblem(reply, 400, 'validation_failed');
    const errors = (reply.body as { errors: { path: string; message: string }[] }).errors;
    expect(errors.map((e) => e.path).sort()).toEqual(['json.from', 'json.to']);
    for (const e of errors) expect(e.message).toMatch(/^[^A-Za-z]*[А-Яа-яЁё][^]*$/);
    expect(errors.map((e) => e.message).join(' ')).not.toMatch(/Invalid|Expected|Required/);
  });

  it('invalid UTF-8 is a 400', async () => {
    const bytes = Buffer.concat([Buffer.from('{"emailNotifications":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    expectProblem(await send('PUT', '/v1/settings', bytes), 400, 'malformed_body');
  });

  it('JSON sent as text/plain (or with no type) → 415', async () => {
    const body = JSON.stringify({ type: 'receivables' });
    expectProblem(await send('POST', '/v1/documents', body, 'text/plain'), 415, 'unsupported_media_type');
    expectProblem(await send('POST', '/v1/documents', body, 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectProblem(await send('POST', '/v1/documents', body, 'application/json; charset=latin1'), 415, 'unsupported_media_type');
    expectProblem(await send('POST', '/v1/cart/checkout', body, ''), 415, 'unsupported_media_type');
    // The same body as JSON is accepted.
    expect((await send('POST', '/v1/documents', body)).status).toBe(202);
  });

  it('GET /v1/catalog/products?q=%00 → 400, and other odd queries are fine', async () => {
    expectProblem(await send('GET', '/v1/catalog/products?q=%00', undefined, ''), 400, 'validation_failed');
    expectProblem(await send('GET', `/v1/invoices/${invoiceId}%00`, undefined, ''), 400, 'validation_failed');
    for (const q of ['%FF', '%C3%28', "'; drop table products; --", '%25', '\\']) {
      expect((await send('GET', `/v1/catalog/products?q=${q}`, undefined, '')).status).toBe(200);
    }
  });

  it('a broken multipart body is a 400, a JSON body on an upload route a 415', async () => {
    const broken = await send(
      'POST',
      '/v1/payment-orders',
      '--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
      'multipart/form-data; boundary=xyz',
    );
    expectProblem(broken, 400, 'malformed_body');
    expectProblem(await send('POST', '/v1/payment-orders', '{}'), 415, 'unsupported_media_type');
    expectProblem(await send('POST', '/v1/cart/upload', '{}'), 415, 'unsupported_media_type');
  });

  it('If-Match that is not a version → 400 (as the OpenAPI document now says)', async () => {
    expectProblem(await send('POST', `/v1/invoices/${invoiceId}/submit`, undefined, '', { 'If-Match': 'abc' }), 400, 'validation_failed');
    const doc = (await send('GET', '/openapi.json', undefined, '')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; schema: { pattern?: string } }[] }>>;
    };
    const ifMatch = doc.paths['/v1/invoices/{id}/submit']?.post?.parameters?.find((p) => p.name === 'if-match');
    expect(ifMatch?.schema.pattern).toBeDefined();
    expect(new RegExp(ifMatch?.schema.pattern ?? '').test('abc')).toBe(false);
    expect(new RegExp(ifMatch?.schema.pattern ?? '').test('"3"')).toBe(true);
  });

  it('documents every error answer as problem+json, with the answers every request can meet', async () => {
    const doc = (await send('GET', '/openapi.json', undefined, '')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400) {
            expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
            checked++;
          }
        }
        expect(op.responses['503'], `${method} ${path}`).toBeDefined();
        if (['post', 'put', 'patch', 'delete'].includes(method)) expect(op.responses['429'], `${method} ${path}`).toBeDefined();
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('request size limit', () => {
  it('answers 413 to a big JSON body and stops reading it at the limit (chunked, no Content-Length)', async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const total = 50 * 1024 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) {
          controller.close();
          return;
        }
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await s.app.request(`/v1/invoices/${invoiceId}`, {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    // The limit is 256 KiB: the server read at most that plus a chunk or two of read-ahead, not 50 MB.
    expect(pulled).toBeLessThan(s.config.limits.jsonBodyBytes + 4 * chunk.length);
  });

  describe('over a socket', () => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApi({ db: s.db, temporal: s.client, config: s.config, logger: createLogger('silent', 'test') }, 0);
    });
    afterAll(() => api.stop());

    /** A request over a real socket that sends `head` of the body and never the rest. */
    function raw(method: string, path: string, headers: Record<string, string>, head: string) {
      return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = httpRequest(new URL(path, api.url), { method, headers: { ...auth, 'Content-Type': 'application/json', ...headers } });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
            req.destroy();
          });
        });
        req.on('error', reject);
        if (head) req.write(head);
        else req.end();
      });
    }

    it('refuses a declared 50 MB body from its Content-Length, before reading it, on both routes', async () => {
      for (const [method, path] of [
        ['PATCH', `/v1/invoices/${invoiceId}`],
        ['POST', '/v1/cart/checkout'],
      ] as const) {
        // Only the first kilobyte is ever sent: the answer must not wait for the rest.
        const reply = await raw(method, path, { 'Content-Length': String(50 * 1024 * 1024) }, '{"lines":[' + ' '.repeat(1024));
        expect(reply.status).toBe(413);
        expect(JSON.parse(reply.body)).toMatchObject({ code: 'payload_too_large' });
      }
    });

    it('answers TRACE and made-up methods 405 with Allow', async () => {
      for (const method of ['TRACE', 'PROPFIND']) {
        const reply = await raw(method, '/v1/cart', {}, '');
        expect(reply.status).toBe(405);
        expect(reply.headers.allow).toContain('GET');
        expect(JSON.parse(reply.body)).toMatchObject({ code: 'method_not_allowed' });
      }
    });

    it('holds no body in memory for refused requests: 20 concurrent 50 MB declarations, 1 KB sent each, all answered', async () => {
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          raw(
            i % 2 ? 'PATCH' : 'POST',
            i % 2 ? `/v1/invoices/${otherInvoiceId}` : '/v1/cart/checkout',
            { 'Content-Length': String(50 * 1024 * 1024) },
            '{' + ' '.repeat(1024),
          ),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 413));
    });
  });
});
