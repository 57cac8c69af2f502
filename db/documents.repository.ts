import { sql } from 'kysely';
import type { DocumentParams, DocumentStatus, DocumentType } from '../core/contracts/documents.js';
import type { Db } from './database.js';
import { appendEvents } from './outbox.repository.js';

/** Generated documents (their parameters, status and file). Every read is scoped by customer: others' rows do not exist. */

export interface DocumentRow {
  id: string;
  customerId: string;
  type: DocumentType;
  status: DocumentStatus;
  params: DocumentParams;
  number: string | null;
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  error: string | null;
  createdAt: string;
  readyAt: string | null;
}

// Never the content: lists and status reads stay cheap however big the files are.
const META = ['id', 'customer_id', 'type', 'status', 'params', 'number', 'file_name', 'content_type', 'size_bytes', 'error', 'created_at', 'ready_at'] as const;

function toRow(r: {
  id: string;
  customer_id: string;
  type: DocumentType;
  status: DocumentStatus;
  params: DocumentParams;
  number: string | null;
  file_name: string | null;
  content_type: string | null;
  size_bytes: number | null;
  error: string | null;
  created_at: Date;
  ready_at: Date | null;
}): DocumentRow {
  return {
    id: r.id,
    customerId: r.customer_id,
    type: r.type,
    status: r.status,
    params: r.params,
    number: r.number,
    fileName: r.file_name,
    contentType: r.content_type,
    sizeBytes: r.size_bytes,
    error: r.error,
    createdAt: r.created_at.toISOString(),
    readyAt: r.ready_at ? r.ready_at.toISOString() : null,
  };
}

export async function insertDocument(db: Db, doc: { id: string; customerId: string; params: DocumentParams }): Promise<void> {
  await db
    .insertInto('documents')
    .values({ id: doc.id, customer_id: doc.customerId, type: doc.params.type, params: JSON.stringify(doc.params) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function findDocument(db: Db, id: string, customerId?: string): Promise<DocumentRow | undefined> {
  let q = db.selectFrom('documents').select(META).where('id', '=', id);
  if (customerId) q = q.where('customer_id', '=', customerId);
  const r = await q.executeTakeFirst();
  return r ? toRow(r) : undefined;
}

export async function listDocuments(
  db: Db,
  customerId: string,
  opts: { type?: DocumentType; limit: number; after?: { createdAt: string; id: string } },
): Promise<DocumentRow[]> {
  let q = db.selectFrom('documents').select(META).where('customer_id', '=', customerId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit);
  if (opts.type) q = q.where('type', '=', opts.type);
  const after = opts.after;
  // A row comparison, so the index can start at the cursor (see listInvoices).
  if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(new Date(after.createdAt), after.id)));
  return (await q.execute()).map(toRow);
}

export async function readDocumentFile(
  db: Db,
  id: string,
  customerId?: string,
): Promise<{ fileName: string; contentType: string; content: Buffer } | undefined> {
  let q = db.selectFrom('documents').select(['file_name', 'content_type', 'content']).where('id', '=', id).where('status', '=', 'ready');
  if (customerId) q = q.where('customer_id', '=', customerId);
  const r = await q.executeTakeFirst();
  return r?.file_name && r.content_type && r.content ? { fileName: r.file_name, contentType: r.content_type, content: r.content } : undefined;
}

/** Stores the file and marks the document ready; a second call for a ready document changes nothing. */
export async function storeDocumentFile(
  db: Db,
  id: string,
  file: { fileName: string; contentType: string; content: Buffer; number: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ready = await trx
      .updateTable('documents')
      .set({
        status: 'ready',
        file_name: file.fileName,
        content_type: file.contentType,
        content: file.content,
        size_bytes: file.content.length,
        number: file.number,
        error: null,
        ready_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('status', '<>', 'ready')
      .returning(['customer_id', 'type'])
      .executeTakeFirst();
    if (!ready) return;
    await appendEvents(trx, [
      {
        key: `document/${id}/ready`,
        type: 'document.ready.v1',
        aggregate: { type: 'customer', id: ready.customer_id },
        data: { documentId: id, customerId: ready.customer_id, type: ready.type, number: file.number, fileName: file.fileName, size: file.content.length },
      },
    ]);
  });
}

export async function failDocument(db: Db, id: string, error: string): Promise<void> {
  await db.updateTable('documents').set({ status: 'failed', error }).where('id', '=', id).where('status', '=', 'pending').execute();
}
