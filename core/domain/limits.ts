/**
 * Bounds on everything a user controls the size of. Together they keep an invoice workflow's
 * state, and every projection and email payload made from it, far below Temporal's payload limit
 * (2 MB; warnings from 512 KB): proven at these limits by test/hostile.limits.test.ts.
 */

/** Lines in one cart (enforced by a trigger on cart_items, whatever the route). */
export const MAX_CART_LINES = 500;
/** Lines in one invoice (an edit, a manager change; a merge whose sources hold more distinct SKUs is refused). */
export const MAX_INVOICE_LINES = 500;
/** Pieces in one line. */
export const MAX_LINE_QUANTITY = 1_000_000;
/** Invoices merged at once. */
export const MAX_MERGE_SOURCES = 10;
/** Boxes in one invoice, given by the warehouse or packed by pieces per box. */
export const MAX_BOXES = 1000;
/** Lines in one box the warehouse reports. */
export const MAX_BOX_LINES = 200;
