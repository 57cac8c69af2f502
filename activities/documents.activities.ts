import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database.js';
import { failDocument, findDocument, storeDocumentFile } from '../db/documents.repository.js';
import { productCertificates } from '../db/catalog.repository.js';
import { findCustomerRequisites } from '../db/customers.repository.js';
import { findInvoice } from '../db/invoices.repository.js';
import { loadPayments } from '../db/payments.repository.js';
import { loadRealizations, type RealizationData } from '../db/realizations.repository.js';
import type { DocumentParams } from '../core/contracts/documents.js';
import { receivables, settlements, type Credit, type Debit } from '../core/domain/finance.js';
import { STATUS_LABELS, isLocked } from '../core/domain/invoice.js';
import type { FailureCode } from '../core/domain/failures.js';
import { moscowToday } from '../core/domain/periods.js';
import type { ShippedLine } from '../core/domain/reports.js';
import type { Config } from '../runtime/config.js';
import { buildInventoryPdf } from '../formats/inventory.pdf.js';
import { buildPaymentInvoicePdf } from '../formats/payment-invoice.pdf.js';
import { buildPackingListsXlsx, buildRealizationsXlsx, buildReceivablesXlsx, buildSalesXlsx, buildSettlementsXlsx } from '../formats/reports.xlsx.js';
import { PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../formats/xlsx.js';

const NOT_FOUND: FailureCode = 'not_found';
const INVALID: FailureCode = 'invalid_transition';
const DAY_MS = 86_400_000;
const MSK_MS = 3 * 3_600_000;

/** Moscow midnight of a calendar date, as epoch ms. */
const moscowStart = (date: string) => Date.parse(`${date}T00:00:00Z`) - MSK_MS;
const dateOf = (d: Date) => moscowToday(d.getTime());

interface Generated {
  fileName: string;
  contentType: string;
  content: Buffer;
}

function shippedLines(realizations: readonly RealizationData[]): ShippedLine[] {
  return realizations.flatMap((r) =>
    r.lines
      .filter((l) => l.approved > 0)
      .map((l) => ({
        realizationNumber: r.number,
        date: dateOf(r.shippedAt),
        sku: l.sku,
        article: l.article,
        name: l.name,
        characteristic: l.characteristic,
        quantity: l.approved,
        priceKopecks: l.priceKopecks,
      })),
  );
}

export function createDocumentActivities({ db, config }: { db: Db; config: Config }) {
  async function customerOf(customerId: string) {
    const c = await findCustomerRequisites(db, customerId);
    if (!c) throw ApplicationFailure.nonRetryable(`Клиент ${customerId} не найден`, NOT_FOUND);
    return c;
  }

  async function realizationsByIds(customerId: string, ids: string[]): Promise<RealizationData[]> {
    const found = await loadRealizations(db, customerId, { ids });
    if (found.length !== new Set(ids).size) throw ApplicationFailure.nonRetryable('Одна из реализаций не найдена', NOT_FOUND);
    return found;
  }

  async function generate(customerId: string, params: DocumentParams, number: string | null): Promise<Generated> {
    const customer = await customerOf(customerId);
    const today = moscowToday(Date.now());
    const header = { customerName: customer.name, today };
    switch (params.type) {
      case 'inventory': {
        const invoice = await findInvoice(db, params.invoiceId, { customerId });
        if (!invoice) throw ApplicationFailure.nonRetryable('Счёт не найден', NOT_FOUND);
        if (!isLocked(invoice.status))
          throw ApplicationFailure.nonRetryable(`Опись доступна после отправки счёта на отгрузку (статус: ${STATUS_LABELS[invoice.status]})`, INVALID);
        const lines = invoice.lines.filter((l) => l.approved > 0);
        const skus = lines.map((l) => l.sku);
        const certs = await productCertificates(db, skus);
        const byLine = new Map(lines.map((l) => [l.sku, l]));
        const boxesOf = (sku: string) => (invoice.boxes ?? []).filter((b) => b.lines.some((x) => x.sku === sku)).map((b) => b.number);
        const content = await buildInventoryPdf({
          invoiceNumber: invoice.number,
          statusLabel: STATUS_LABELS[invoice.status],
          customerName: customer.name,
          supplierName: config.supplier.name,
          generatedAt: new Date().toISOString(),
          lines: lines.map((l) => {
            const p = certs.get(l.sku);
            return {
              article: l.article,
              name: l.name,
              characteristic: l.characteristic,
              quantity: l.approved,
              unit: p?.unit ?? 'шт',
              certificateNumber: p?.certificateNumber ?? null,
              certificateValidUntil: p?.certificateValidUntil ?? null,
              boxes: boxesOf(l.sku),
            };
          }),
          boxes:
            invoice.boxes?.map((b) => ({
              number: b.number,
              lines: b.lines.map((x) => {
                const l = byLine.get(x.sku);
                return { article: l?.article ?? x.sku, name: l?.name ?? x.sku, characteristic: l?.characteristic ?? null, quantity: x.quantity };
              }),
            })) ?? null,
        });
        return { fileName: `Опись и сертификаты ${invoice.number}.pdf`, contentType: PDF_CONTENT_TYPE, content };
      }
      case 'payment-invoice': {
        if (!number) throw ApplicationFailure.nonRetryable('У счёта на оплату нет номера', 'internal');
        let basis: string;
        let lines: { name: string; quantity: number; unit: string; priceKopecks: number }[];
        if ('amountKopecks' in params) {
          basis = 'Предварительная оплата по договору поставки';
          lines = [{ name: 'Предварительная оплата за товар по договору поставки', quantity: 1, unit: '—', priceKopecks: params.amountKopecks }];
        } else {
          const realizations = await realizationsByIds(customerId, params.realizationIds);
          basis = `${realizations.length > 1 ? 'Реализации' : 'Реализация'} ${realizations.map((r) => `№ ${r.number} от ${dateOf(r.shippedAt).split('-').reverse().join('.')}`).join(', ')}`;
          // Same SKU at the same price in several realizations is one line.
          const merged = new Map<string, { name: string; quantity: number; unit: string; priceKopecks: number }>();
          for (const l of shippedLines(realizations)) {
            const key = `${l.sku}\u0000${l.priceKopecks}`;
            const line = merged.get(key) ?? {
              name: `${l.name}${l.characteristic ? ` (${l.characteristic})` : ''}, арт. ${l.article}`,
              quantity: 0,
              unit: 'шт',
              priceKopecks: l.priceKopecks,
            };
            line.quantity += l.quantity;
            merged.set(key, line);
          }
          lines = [...merged.values()];
        }
        const content = await buildPaymentInvoicePdf({
          number,
          issuedAt: new Date().toISOString(),
          supplier: config.supplier,
          customer: { name: customer.name, inn: customer.inn },
          basis,
          lines,
        });
        return { fileName: `Счёт на оплату ${number}.pdf`, contentType: PDF_CONTENT_TYPE, content };
      }
      case 'receivables':
      case 'settlements': {
        const debits: Debit[] = (await loadRealizations(db, customerId, {})).map((r) => ({
          id: r.id,
          number: r.number,
          date: dateOf(r.shippedAt),
          amount: r.totalKopecks,
        }));
        const credits: Credit[] = (await loadPayments(db, customerId)).map((p) => ({
          id: p.id,
          date: p.paidAt,
          amount: p.amountKopecks,
          reference: p.reference,
        }));
        if (params.type === 'receivables') {
          const content = await buildReceivablesXlsx(
            { ...header, today: params.today, paymentTermDays: config.paymentTermDays },
            receivables(debits, credits, params.today, config.paymentTermDays),
          );
          return { fileName: `ДЗ на ${params.today}.xlsx`, contentType: XLSX_CONTENT_TYPE, content };
        }
        const content = await buildSettlementsXlsx({ ...header, supplierName: config.supplier.name }, settlements(debits, credits, params.from, params.to));
        return { fileName: `Акт сверки ${params.from}_${params.to}.xlsx`, contentType: XLSX_CONTENT_TYPE, content };
      }
      case 'sales':
      case 'realizations': {
        const realizations = await loadRealizations(db, customerId, { fromMs: moscowStart(params.from), toMs: moscowStart(params.to) + DAY_MS });
        const lines = shippedLines(realizations);
        if (params.type === 'sales') {
          const content = await buildSalesXlsx({ ...header, from: params.from, to: params.to }, lines);
          return { fileName: `Продажи ${params.from}_${params.to}.xlsx`, contentType: XLSX_CONTENT_TYPE, content };
        }
        const content = await buildRealizationsXlsx({ ...header, from: params.from, to: params.to }, lines);
        return { fileName: `Реализации ${params.from}_${params.to}.xlsx`, contentType: XLSX_CONTENT_TYPE, content };
      }
      case 'packing-lists': {
        const realizations = await realizationsByIds(customerId, params.realizationIds);
        const content = await buildPackingListsXlsx(
          header,
          params.layout,
          realizations.map((r) => ({
            number: r.number,
            date: dateOf(r.shippedAt),
            boxes: r.boxes,
            products: new Map(r.lines.map((l) => [l.sku, { sku: l.sku, article: l.article, name: l.name, characteristic: l.characteristic }])),
          })),
        );
        const names = realizations.map((r) => r.number);
        return {
          fileName: `Упаковочные листы ${names.length <= 3 ? names.join(' ') : `${names.length} реализаций`}.xlsx`,
          contentType: XLSX_CONTENT_TYPE,
          content,
        };
      }
    }
  }

  return {
    /**
     * Makes the document's file and stores it with the document (status ready). Idempotent: a
     * document already ready is not generated again. Returns only the file name — the bytes stay
     * in PostgreSQL.
     */
    async generateDocument({ documentId, number }: { documentId: string; number?: string }): Promise<{ fileName: string }> {
      const doc = await findDocument(db, documentId);
      if (!doc) throw ApplicationFailure.nonRetryable(`Документ ${documentId} не найден`, NOT_FOUND);
      if (doc.status === 'ready' && doc.fileName) return { fileName: doc.fileName };
      const file = await generate(doc.customerId, doc.params, number ?? null);
      await storeDocumentFile(db, documentId, { ...file, number: number ?? null });
      return { fileName: file.fileName };
    },

    /** Marks a pending document failed with a text the customer sees. */
    async markDocumentFailed({ documentId, error }: { documentId: string; error: string }): Promise<void> {
      await failDocument(db, documentId, error);
    },
  };
}
