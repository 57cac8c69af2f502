// The single workflow bundle entry: every workflow type the worker runs.
export { orderWorkflow } from './order.workflow.js';
export { invoiceWorkflow } from './invoice.workflow.js';
export { stockCorrectionWorkflow } from './stock-correction.workflow.js';
export { documentWorkflow, paymentOrderWorkflow } from './document.workflow.js';
export { mergeWorkflow } from './merge.workflow.js';
export { waitlistWorkflow } from './waitlist.workflow.js';
