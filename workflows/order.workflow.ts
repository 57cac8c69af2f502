import { ApplicationFailure, ParentClosePolicy, setCurrentDetails, startChild, uuid4, workflowInfo, log } from '@temporalio/workflow';
import { invoiceWorkflowId } from '../core/contracts/ids.js';
import { SYSTEM_ACTOR, type InvoiceState } from '../core/contracts/invoice.js';
import type { OrderProjection, OrderStatus, OrderWorkflowInput } from '../core/contracts/order.js';
import { CustomerIdAttribute, InvoiceNumberAttribute, InvoiceStatusAttribute } from '../core/contracts/search-attributes.js';
import { orderDetails } from '../core/domain/invoice-details.js';
import { moscowYear } from '../core/domain/time.js';
import { dbSteps, email } from './activities.js';
import { invoiceWorkflow } from './invoice.workflow.js';

/**
 * order/<orderId>: announces the order, checks every line against stock, reserves what it can and
 * hands the result to a new long-running invoice workflow.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<{ invoiceId: string }> {
  const { orderId, customerId, lines } = input;
  const db = dbSteps();
  let invoiceNumber: string | null = null;
  const project = (status: OrderStatus, invoiceId: string | null = null, error: string | null = null) => {
    setCurrentDetails(orderDetails({ status, lineCount: lines.length, invoiceNumber, error }));
    const order: OrderProjection = { id: orderId, customerId, status, lines, invoiceId, error };
    return db.projectOrder.executeWithOptions({ summary: `order → ${status}` }, [order]);
  };

  const placedEmail = email.sendEmail
    .executeWithOptions({ summary: 'email: order placed' }, [{ key: `order/${orderId}/placed`, kind: 'order_placed', customerId, orderId, lines }])
    .catch((err: unknown) => log.warn('order placed email not sent', { err }));

  await project('checking');
  // The invoice id comes from the workflow's deterministic uuid, so a replay reuses it.
  const invoiceId = uuid4();
  try {
    const now = Date.now();
    const number = await db.allocateNumber.executeWithOptions({ summary: 'allocate invoice number' }, [
      { kind: 'invoice', entityId: invoiceId, year: moscowYear(now) },
    ]);
    invoiceNumber = number;
    const checked = await db.reserveInvoiceLines.executeWithOptions({ summary: `check and reserve ${lines.length} lines` }, [
      { invoiceId, lines, ...(input.claims ? { claims: input.claims } : {}) },
    ]);
    const at = new Date(now).toISOString();
    const state: InvoiceState = {
      id: invoiceId,
      number,
      customerId,
      orderId,
      status: 'confirmed',
      lines: checked,
      version: 1,
      createdAt: at,
      confirmedAt: at,
      expiresAt: new Date(now + input.settings.invoiceTtlMs).toISOString(),
      mergedInto: null,
      boxes: null,
      realization: null,
    };
    // The read model shows the invoice before the order says "invoiced", so a client following
    // the order never meets a 404.
    await db.projectInvoice.executeWithOptions({ summary: 'create invoice read model' }, [
      { state, event: { at, actor: SYSTEM_ACTOR, action: 'create', fromStatus: null, toStatus: state.status, details: { orderId } } },
    ]);
    await startChild(invoiceWorkflow, {
      workflowId: invoiceWorkflowId(invoiceId),
      args: [{ state, settings: input.settings }],
      // The invoice lives for days after the order is done.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: CustomerIdAttribute, value: customerId },
        { key: InvoiceStatusAttribute, value: state.status },
        { key: InvoiceNumberAttribute, value: number },
      ],
      staticSummary: `Счёт ${number} по заказу ${orderId}`,
      taskQueue: workflowInfo().taskQueue,
    });
  } catch (err) {
    // Nothing may stay reserved for an invoice that never came to be.
    await db.releaseInvoiceReservations.executeWithOptions({ summary: 'release reservations' }, [{ invoiceId }]);
    await project('failed', null, err instanceof Error ? err.message : String(err));
    await placedEmail;
    throw ApplicationFailure.nonRetryable(`order ${orderId} failed: ${String(err)}`, 'internal');
  }
  await project('invoiced', invoiceId);
  await placedEmail;
  return { invoiceId };
}
