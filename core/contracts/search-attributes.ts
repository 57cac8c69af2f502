import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the Temporal namespace at start-up so the UI can filter invoices. */
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const InvoiceStatusAttribute = defineSearchAttributeKey('InvoiceStatus', SearchAttributeType.KEYWORD);
export const InvoiceNumberAttribute = defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD);
