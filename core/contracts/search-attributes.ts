import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the Temporal namespace at start-up so the UI can filter invoices. */
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const InvoiceStatusAttribute = defineSearchAttributeKey('InvoiceStatus', SearchAttributeType.KEYWORD);
export const InvoiceNumberAttribute = defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD);
/** When the invoice's expiry timer deletes it; absent while no timer runs (core/domain deleteAt). */
export const DeleteAtAttribute = defineSearchAttributeKey('DeleteAt', SearchAttributeType.DATETIME);
/** The id of the invoice a source was merged into (kept after the source is deleted). */
export const MergedIntoAttribute = defineSearchAttributeKey('MergedInto', SearchAttributeType.KEYWORD);

/** Every attribute the workflows set: a namespace running them must have all of these registered. */
export const APP_SEARCH_ATTRIBUTES = [CustomerIdAttribute, InvoiceStatusAttribute, InvoiceNumberAttribute, DeleteAtAttribute, MergedIntoAttribute] as const;
