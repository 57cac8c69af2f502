import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem, problemResponse } from './errors.js';
import type { AppEnv } from './router.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `application/json` or `application/<x>+json`, with no charset or UTF-8. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const MULTIPART_MEDIA_TYPE = /^multipart\/form-data\s*;\s*boundary=/i;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const kib = (bytes: number) => `${Math.round(bytes / 1024)} КБ`;

/** The first string (key or value) that holds a NUL character, found without recursion. */
function findNul(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: 'json' }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const v = item.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return item.path;
    } else if (Array.isArray(v)) {
      v.forEach((child, i) => stack.push({ value: child, path: `${item.path}.${i}` }));
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) return item.path;
        stack.push({ value: child, path: `${item.path}.${key}` });
      }
    }
  }
  return undefined;
}

/** A NUL in the path or query string (PostgreSQL cannot store it; nothing legitimate sends it). */
export function rejectNulInUrl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url;
    if (/%00|\u0000/i.test(url)) {
      throw new Problem('validation_failed', 'Адрес содержит символ NUL (%00)', [{ path: 'url', message: 'NUL is not allowed' }]);
    }
    await next();
  };
}

/**
 * The one body path of every JSON route: a size limit that answers 413 before the body is read
 * (from Content-Length, or as soon as a chunked body passes it), then the media type (415), then
 * UTF-8 and JSON syntax (400 `malformed_body`) and NUL characters (400 `validation_failed`). The
 * checked text is left in Hono's body cache, so route validators and the idempotency hash read the
 * very same bytes without reading the stream again. Upload routes (`multipart`) get their own
 * larger limit elsewhere; here their envelope is parsed once so a broken one is a 400.
 */
export function jsonBodies(maxBytes: number, multipartRoutes: readonly string[]): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => problemResponse(c, 'payload_too_large', `Тело запроса больше ${kib(maxBytes)}`),
  });
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method) || !c.req.raw.body) return next();
    if (multipartRoutes.includes(c.req.path)) return multipart(c, next);
    return limit(c, async () => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length === 0) return next();
      const contentType = c.req.header('Content-Type') ?? '';
      if (!JSON_MEDIA_TYPE.test(contentType)) {
        throw new Problem('unsupported_media_type', `Ожидается Content-Type: application/json (получен «${contentType.slice(0, 100) || 'нет'}»)`);
      }
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw new Problem('malformed_body', 'Тело запроса не в кодировке UTF-8');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Problem('malformed_body', `Тело запроса — не JSON: ${err instanceof Error ? err.message.slice(0, 200) : 'syntax error'}`);
      }
      const nulAt = findNul(parsed);
      if (nulAt) throw new Problem('validation_failed', `Символ NUL (\\u0000) недопустим: ${nulAt}`, [{ path: nulAt, message: 'NUL is not allowed' }]);
      // Hono keeps promises in its body cache (its type says values).
      (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
      return next();
    });
  };
}

const multipart: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('Content-Type') ?? '';
  if (!MULTIPART_MEDIA_TYPE.test(contentType)) throw new Problem('unsupported_media_type', 'Файл загружается как multipart/form-data (поле «file»)');
  const bytes = await c.req.arrayBuffer();
  try {
    const form = await new Response(bytes, { headers: { 'Content-Type': contentType } }).formData();
    (c.req.bodyCache as Record<string, unknown>).formData = Promise.resolve(form);
  } catch {
    throw new Problem('malformed_body', 'Тело multipart/form-data повреждено');
  }
  await next();
};
