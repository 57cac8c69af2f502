import type { Db } from './database.js';
import type { EmailLogTable } from './schema.js';

/** Every email the system sent, stored or skipped, once per key. */

export type EmailStatus = EmailLogTable['status'];

export interface EmailLogEntry {
  key: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  status: EmailStatus;
  providerId: string | null;
}

export async function isEmailLogged(db: Db, key: string): Promise<boolean> {
  const logged = await db.selectFrom('email_log').select('key').where('key', '=', key).executeTakeFirst();
  return logged !== undefined;
}

/** Records the email's outcome; the first record for a key stays. */
export async function logEmail(db: Db, e: EmailLogEntry): Promise<void> {
  await db
    .insertInto('email_log')
    .values({ key: e.key, kind: e.kind, to_address: e.to, subject: e.subject, text: e.text, html: e.html, status: e.status, provider_id: e.providerId })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** The newest `limit` emails (the admin outbox). */
export async function latestEmails(
  db: Db,
  limit: number,
): Promise<{ key: string; kind: string; to: string; subject: string; text: string; status: EmailStatus; createdAt: Date }[]> {
  const rows = await db.selectFrom('email_log').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ key: r.key, kind: r.kind, to: r.to_address, subject: r.subject, text: r.text, status: r.status, createdAt: r.created_at }));
}
