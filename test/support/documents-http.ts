import { expect } from 'vitest';
import { signToken, type User } from '../../api/auth.js';
import { TEST_SECRET } from './fixtures.js';
import type { Call } from './scenario.js';
import type { TestStack } from './stack.js';

/** Polls a document until it leaves pending; returns its final view. */
export async function waitDocument(call: Call, documentId: string): Promise<{ status: string; fileName?: string; error?: string; [k: string]: unknown }> {
  let doc: { status: string } = { status: 'pending' };
  await expect
    .poll(
      async () => {
        doc = (await call('GET', `/v1/documents/${documentId}`)).body;
        return doc.status;
      },
      { timeout: 30_000, interval: 100 },
    )
    .not.toBe('pending');
  return doc;
}

/** Raw bytes of a GET, with status and headers. */
export async function download(s: TestStack, user: User, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await s.app.request(path, { headers: { Authorization: `Bearer ${await signToken(TEST_SECRET, user)}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** POSTs a multipart body with one `file` field. */
export async function upload(s: TestStack, user: User, path: string, bytes: Buffer, fileName: string, headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  const res = await s.app.request(path, { method: 'POST', body: form, headers: { Authorization: `Bearer ${await signToken(TEST_SECRET, user)}`, ...headers } });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

/** The attachments of the emails the fake Resend received for a key, decoded. */
export function attachmentsOf(s: TestStack, key: string): { to: string; subject: string; files: { filename: string; content: Buffer }[] } | undefined {
  const email = s.resend.emails.find((e) => e.key === key && e.status === 200);
  if (!email) return undefined;
  const body = email.body as { to: string | string[]; subject: string; attachments?: { filename: string; content: string }[] };
  return {
    to: Array.isArray(body.to) ? (body.to[0] ?? '') : body.to,
    subject: body.subject,
    files: (body.attachments ?? []).map((a) => ({ filename: a.filename, content: Buffer.from(a.content, 'base64') })),
  };
}
