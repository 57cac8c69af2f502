/** Workflow ids are business ids, so operators find an entity in the Temporal UI by its id. */
export const orderWorkflowId = (orderId: string): string => `order/${orderId}`;
export const invoiceWorkflowId = (invoiceId: string): string => `invoice/${invoiceId}`;
export const stockCorrectionWorkflowId = (correctionId: string): string => `stock/${correctionId}`;
export const mergeWorkflowId = (newInvoiceId: string): string => `merge/${newInvoiceId}`;
export const documentWorkflowId = (documentId: string): string => `document/${documentId}`;
/** One per SKU with a waitlist: offers the SKU's free stock in the order customers asked. */
export const waitlistWorkflowId = (sku: string): string => `waitlist/${sku}`;
export const paymentOrderWorkflowId = (paymentOrderId: string): string => `payment-order/${paymentOrderId}`;
