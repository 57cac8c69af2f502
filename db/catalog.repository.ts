import { sql } from 'kysely';
import type { Db } from './database.js';

export interface ProductRow {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  unit: string;
  priceKopecks: number;
  piecesPerBox: number;
  certificateNumber: string | null;
  certificateValidUntil: string | null;
  onHand: number;
  reserved: number;
}

export async function listProducts(db: Db, opts: { q?: string; after?: string; limit?: number; skus?: string[] }): Promise<ProductRow[]> {
  let query = db
    .selectFrom('products as p')
    .leftJoin('stock as s', 's.sku', 'p.sku')
    .select([
      'p.sku',
      'p.article',
      'p.name',
      'p.characteristic',
      'p.unit',
      'p.price_kopecks',
      'p.pieces_per_box',
      'p.certificate_number',
      sql<string | null>`to_char(p.certificate_valid_until, 'YYYY-MM-DD')`.as('certificate_valid_until'),
      sql<number>`coalesce(s.on_hand, 0)`.as('on_hand'),
      sql<number>`coalesce(s.reserved, 0)`.as('reserved'),
    ])
    .orderBy('p.sku');
  if (opts.limit !== undefined) query = query.limit(opts.limit);
  if (opts.q) {
    const pattern = `%${opts.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('p.sku', 'ilike', pattern), eb('p.article', 'ilike', pattern), eb('p.name', 'ilike', pattern), eb('p.characteristic', 'ilike', pattern)]),
    );
  }
  if (opts.after) query = query.where('p.sku', '>', opts.after);
  if (opts.skus) query = query.where('p.sku', 'in', opts.skus.length ? opts.skus : ['']);
  const rows = await query.execute();
  return rows.map((r) => ({
    sku: r.sku,
    article: r.article,
    name: r.name,
    characteristic: r.characteristic,
    unit: r.unit,
    priceKopecks: Number(r.price_kopecks),
    piecesPerBox: r.pieces_per_box,
    certificateNumber: r.certificate_number,
    certificateValidUntil: r.certificate_valid_until,
    onHand: r.on_hand,
    reserved: r.reserved,
  }));
}

export interface ProductInput {
  article: string;
  name: string;
  characteristic: string | null;
  unit: string;
  priceKopecks: number;
  piecesPerBox: number;
  certificateNumber: string | null;
  certificateValidUntil: string | null;
}

/** Insert or replace a product; returns true when it was new. */
export async function upsertProduct(db: Db, sku: string, p: ProductInput): Promise<boolean> {
  const values = {
    article: p.article,
    name: p.name,
    characteristic: p.characteristic,
    unit: p.unit,
    price_kopecks: p.priceKopecks,
    pieces_per_box: p.piecesPerBox,
    certificate_number: p.certificateNumber,
    certificate_valid_until: p.certificateValidUntil,
  };
  const row = await db
    .insertInto('products')
    .values({ sku, ...values })
    .onConflict((oc) => oc.column('sku').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .executeTakeFirstOrThrow();
  return row.inserted;
}

export async function productExists(db: Db, sku: string): Promise<boolean> {
  const row = await db.selectFrom('products').select('sku').where('sku', '=', sku).executeTakeFirst();
  return row !== undefined;
}

/** Which of `skus` the catalog has. */
export async function knownSkus(db: Db, skus: string[]): Promise<Set<string>> {
  // One array parameter, not one parameter per SKU: a 10,000-row order form is one short statement.
  const rows = await db
    .selectFrom('products')
    .select('sku')
    .where(sql<boolean>`sku = any(${skus}::text[])`)
    .execute();
  return new Set(rows.map((p) => p.sku));
}

export interface InvoiceProduct {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  priceKopecks: number;
  piecesPerBox: number;
}

/** What an invoice line copies from the catalog; `db` may be a transaction. Unknown SKUs are absent. */
export async function invoiceProducts(db: Db, skus: string[]): Promise<Map<string, InvoiceProduct>> {
  const rows = skus.length
    ? await db.selectFrom('products').select(['sku', 'article', 'name', 'characteristic', 'price_kopecks', 'pieces_per_box']).where('sku', 'in', skus).execute()
    : [];
  return new Map(
    rows.map((p) => [
      p.sku,
      { sku: p.sku, article: p.article, name: p.name, characteristic: p.characteristic, priceKopecks: Number(p.price_kopecks), piecesPerBox: p.pieces_per_box },
    ]),
  );
}

export interface ProductCertificate {
  sku: string;
  unit: string;
  certificateNumber: string | null;
  certificateValidUntil: string | null;
}

/** Units and certificates for an inventory, by SKU. */
export async function productCertificates(db: Db, skus: string[]): Promise<Map<string, ProductCertificate>> {
  const rows = await db
    .selectFrom('products')
    .select(['sku', 'unit', 'certificate_number', (eb) => eb.fn<string | null>('to_char', ['certificate_valid_until', eb.val('YYYY-MM-DD')]).as('valid_until')])
    .where('sku', 'in', skus.length ? skus : [''])
    .execute();
  return new Map(rows.map((p) => [p.sku, { sku: p.sku, unit: p.unit, certificateNumber: p.certificate_number, certificateValidUntil: p.valid_until }]));
}
