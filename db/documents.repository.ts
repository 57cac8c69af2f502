import { sql } from 'kysely';
import type { DocumentParams, DocumentStatus, DocumentType } from '../core/contracts/documents.js';
import type { InvoiceLine } from '../core/domain/invoice.js';
import type { Box } from '../core/domain/packing.js';
import type { Db } from './database.js';

/** Documents, payments and payment orders. Every read is scoped by customer: others' rows do not exist. */

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
  if (after) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '<', after.id)])]),
    );
  }
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
  await db
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
    .execute();
}

export async function failDocument(db: Db, id: string, error: string): Promise<void> {
  await db.updateTable('documents').set({ status: 'failed', error }).where('id', '=', id).where('status', '=', 'pending').execute();
}

export interface RealizationData {
  id: string;
  number: string;
  invoiceId: string;
  shippedAt: Date;
  lines: InvoiceLine[];
  boxes: Box[];
  totalKopecks: number;
}

/** The customer's realizations, by ids or shipped in [fromMs, toMs), oldest first. */
export async function loadRealizations(db: Db, customerId: string, filter: { ids?: string[]; fromMs?: number; toMs?: number }): Promise<RealizationData[]> {
  let q = db.selectFrom('realizations').selectAll().where('customer_id', '=', customerId).orderBy('shipped_at').orderBy('number');
  if (filter.ids) q = q.where('id', 'in', filter.ids.length ? filter.ids : ['00000000-0000-0000-0000-000000000000']);
  if (filter.fromMs !== undefined) q = q.where('shipped_at', '>=', new Date(filter.fromMs));
  if (filter.toMs !== undefined) q = q.where('shipped_at', '<', new Date(filter.toMs));
  return (await q.execute()).map((r) => ({
    id: r.id,
    number: r.number,
    invoiceId: r.invoice_id,
    shippedAt: r.shipped_at,
    lines: r.lines,
    boxes: r.boxes,
    totalKopecks: Number(r.total_kopecks),
  }));
}

export interface PaymentData {
  id: string;
  amountKopecks: number;
  paidAt: string;
  reference: string;
}

export async function loadPayments(db: Db, customerId: string): Promise<PaymentData[]> {
  const rows = await db
    .selectFrom('payments')
    .select(['id', 'amount_kopecks', sql<string>`to_char(paid_at, 'YYYY-MM-DD')`.as('paid_at'), 'reference'])
    .where('customer_id', '=', customerId)
    .orderBy('paid_at')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, amountKopecks: Number(r.amount_kopecks), paidAt: r.paid_at, reference: r.reference }));
}

/** Registers a payment once per (customer, reference); returns the stored payment and whether it is new. */
export async function registerPayment(
  db: Db,
  p: { id: string; customerId: string; amountKopecks: number; paidAt: string; reference: string; registeredBy: string },
): Promise<{ payment: PaymentData; created: boolean }> {
  const inserted = await db
    .insertInto('payments')
    .values({ id: p.id, customer_id: p.customerId, amount_kopecks: p.amountKopecks, paid_at: p.paidAt, reference: p.reference, registered_by: p.registeredBy })
    .onConflict((oc) => oc.columns(['customer_id', 'reference']).doNothing())
    .returning('id')
    .executeTakeFirst();
  const stored = (await loadPayments(db, p.customerId)).find((x) => x.reference === p.reference);
  if (!stored) throw new Error('payment vanished after insert');
  return { payment: stored, created: inserted !== undefined };
}

export async function insertPaymentOrder(db: Db, o: { id: string; customerId: string; fileName: string; contentType: string; content: Buffer }): Promise<void> {
  await db
    .insertInto('payment_orders')
    .values({ id: o.id, customer_id: o.customerId, file_name: o.fileName, content_type: o.contentType, content: o.content, size_bytes: o.content.length })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function readPaymentOrder(
  db: Db,
  id: string,
): Promise<{ customerId: string; fileName: string; contentType: string; content: Buffer; sizeBytes: number; createdAt: Date } | undefined> {
  const r = await db.selectFrom('payment_orders').selectAll().where('id', '=', id).executeTakeFirst();
  return r
    ? { customerId: r.customer_id, fileName: r.file_name, contentType: r.content_type, content: r.content, sizeBytes: r.size_bytes, createdAt: r.created_at }
    : undefined;
}
