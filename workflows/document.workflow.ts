import { ApplicationFailure, log, workflowInfo } from '@temporalio/workflow';
import { DOCUMENT_TITLES, type DocumentWorkflowInput, type PaymentOrderWorkflowInput } from '../core/contracts/documents.js';
import { moscowYear } from '../core/domain/time.js';
import { db, documents, email } from './activities.js';

/** The message the customer sees on a failed document: the business reason, or a generic one. */
function failureText(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current instanceof ApplicationFailure && current.type && current.type !== 'internal') return current.message;
    current = current.cause;
  }
  return 'Не удалось сформировать документ. Попробуйте ещё раз или обратитесь к менеджеру.';
}

/**
 * document/<documentId>: generates the requested file (stored in PostgreSQL by the activity),
 * marks the document ready or failed, and emails it to the customer as an attachment — always,
 * whatever the notifications switch says, because the customer asked for it.
 */
export async function documentWorkflow(input: DocumentWorkflowInput): Promise<{ status: 'ready' | 'failed' }> {
  const { documentId, customerId, type } = input;
  let fileName: string;
  try {
    // Payment invoices carry a human number, allocated once per document.
    const number =
      type === 'payment-invoice'
        ? await db.allocateNumber.executeWithOptions({ summary: 'allocate payment invoice number' }, [
            { kind: 'payment_invoice', entityId: documentId, year: moscowYear(Date.now()) },
          ])
        : undefined;
    ({ fileName } = await documents.generateDocument.executeWithOptions({ summary: `generate ${type}` }, [{ documentId, ...(number ? { number } : {}) }]));
  } catch (err) {
    const error = failureText(err);
    log.warn('document failed', { documentId, error, workflowId: workflowInfo().workflowId });
    await documents.markDocumentFailed.executeWithOptions({ summary: 'mark failed' }, [{ documentId, error }]);
    await email.sendEmail
      .executeWithOptions({ summary: 'email: document failed' }, [
        { key: `document/${documentId}/failed`, kind: 'document_failed', customerId, documentId, title: DOCUMENT_TITLES[type], reason: error },
      ])
      .catch((err: unknown) => log.warn('document failure email not sent', { documentId, err }));
    return { status: 'failed' };
  }
  try {
    await email.sendEmail.executeWithOptions({ summary: 'email: document ready' }, [
      { key: `document/${documentId}/ready`, kind: 'document_ready', customerId, documentId, title: DOCUMENT_TITLES[type], fileName },
    ]);
  } catch (err) {
    // The document stays ready and downloadable in the cabinet even if the email is refused.
    log.warn('document email not sent', { documentId, err });
  }
  return { status: 'ready' };
}

/** payment-order/<id>: forwards a customer's uploaded payment order to its manager. */
export async function paymentOrderWorkflow(input: PaymentOrderWorkflowInput & { fileName: string }): Promise<void> {
  await email.sendEmail.executeWithOptions({ summary: 'email: payment order to manager' }, [
    {
      key: `payment-order/${input.paymentOrderId}`,
      kind: 'payment_order',
      customerId: input.customerId,
      paymentOrderId: input.paymentOrderId,
      fileName: input.fileName,
    },
  ]);
}
