import type { DocumentType } from '../domain/documents.js';
import type { PackingLayout } from '../domain/reports.js';

// The types and their titles are pure data the cabinet shows too, so they live in core/domain.
export { DOCUMENT_TITLES, DOCUMENT_TYPES, type DocumentType } from '../domain/documents.js';

export type DocumentStatus = 'pending' | 'ready' | 'failed';

/** What a document is made from: JSON stored with the document row and carried by its workflow. */
export type DocumentParams =
  | { type: 'inventory'; invoiceId: string }
  | { type: 'payment-invoice'; realizationIds: string[] }
  | { type: 'payment-invoice'; amountKopecks: number }
  | { type: 'receivables'; today: string }
  | { type: 'settlements' | 'sales' | 'realizations'; from: string; to: string }
  | { type: 'packing-lists'; realizationIds: string[]; layout: PackingLayout };

export interface DocumentWorkflowInput {
  documentId: string;
  customerId: string;
  type: DocumentType;
}

export interface PaymentOrderWorkflowInput {
  paymentOrderId: string;
  customerId: string;
}
