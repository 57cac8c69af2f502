import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { ORDER_FORM_LIMITS } from '../formats/order-form.js';
import { problemResponse, Problem } from './errors.js';
import type { AppEnv } from './router.js';

/** Payment orders are scans or PDFs from a bank: 10 MiB is plenty. */
export const PAYMENT_ORDER_MAX_BYTES = 10 * 1024 * 1024;
/** Room for the multipart envelope around the file. */
const MULTIPART_SLACK = 64 * 1024;

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} МБ`;

/**
 * Upload routes refuse an oversized body before anything buffers it: a Content-Length over the
 * limit is answered at once, and a chunked body is cut off as soon as it passes the limit. Must
 * run before the idempotency middleware, which reads the whole body to hash it.
 */
/** The routes that take multipart uploads; every other write route takes JSON. */
export const UPLOAD_ROUTES = ['/v1/cart/upload', '/v1/payment-orders'] as const;

export function installUploadLimits(app: OpenAPIHono<AppEnv>): void {
  const limit = (maxFileBytes: number) =>
    bodyLimit({ maxSize: maxFileBytes + MULTIPART_SLACK, onError: (c) => problemResponse(c, 'file_too_large', `Файл больше ${mib(maxFileBytes)}`) });
  app.use(UPLOAD_ROUTES[0], limit(ORDER_FORM_LIMITS.maxBytes));
  app.use(UPLOAD_ROUTES[1], limit(PAYMENT_ORDER_MAX_BYTES));
}

/** The uploaded `file` field of a multipart body, size-checked again on the actual bytes. */
export async function uploadedFile(form: Record<string, unknown>, maxBytes: number): Promise<{ name: string; bytes: Buffer }> {
  const file = form.file;
  if (!(file instanceof File))
    throw new Problem('validation_failed', 'Нужен файл в поле «file» (multipart/form-data)', [{ path: 'form.file', message: 'required file' }]);
  if (file.size > maxBytes) throw new Problem('file_too_large', `Файл больше ${mib(maxBytes)}`);
  const bytes = Buffer.from(await file.arrayBuffer());
  if (bytes.length > maxBytes) throw new Problem('file_too_large', `Файл больше ${mib(maxBytes)}`);
  return { name: file.name, bytes };
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const MULTIPART_FILE_BODY = {
  required: true,
  content: {
    'multipart/form-data': {
      // The file is checked by hand (size, magic bytes): the schema only documents it.
      schema: { type: 'object' as const, properties: { file: { type: 'string' as const, format: 'binary' } }, required: ['file'] },
    },
  },
};
