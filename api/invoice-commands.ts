import { z } from '@hono/zod-openapi';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import type { Visibility } from '../db/invoices.repository.js';
import { invoiceWorkflowId } from '../core/contracts/ids.js';
import type { InvoiceCommand } from '../core/contracts/invoice-messages.js';
import type { InvoiceState } from '../core/contracts/invoice.js';
import { INVOICE_ACTIONS, INVOICE_STATUSES, isFinal } from '../core/domain/invoice.js';
import type { User } from './auth.js';
import { Problem } from './errors.js';
import { scopedRequestId } from './idempotency.js';
import { Money, ProductLineSchema, type AppEnv } from './router.js';

/** What every route that acts on an invoice shares: its response schema, who sees it, and how a command reaches its workflow. */

const LineState = z.object({ approved: z.number().int(), price: Money });
/** A change the customer did not initiate, unanswered while the invoice is "changed". */
const LineChangeSchema = z
  .object({
    by: z.enum(['manager', 'stock']).openapi({ description: "a manager's change, or a stock correction that cut the line" }),
    managerId: z.string().nullable(),
    reason: z.string().openapi({ description: "the manager's comment, or the cut in Russian" }),
    at: z.string(),
    before: LineState.openapi({ description: 'the line before the first unanswered change' }),
    after: LineState,
  })
  .openapi('LineChange');

export const InvoiceSchema = z
  .object({
    id: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    orderId: z.uuid().nullable(),
    status: z.enum(INVOICE_STATUSES),
    statusLabel: z.string(),
    allowedActions: z.array(z.enum(INVOICE_ACTIONS)),
    version: z.number().int(),
    expiresAt: z.string().nullable(),
    mergedInto: z.uuid().nullable(),
    mergedFrom: z.array(z.uuid()).nullable(),
    createdAt: z.string(),
    confirmedAt: z.string().nullable(),
    lines: z.array(
      ProductLineSchema.extend({
        requested: z.number().int(),
        approved: z.number().int(),
        rejected: z.number().int(),
        rejectionReason: z.enum(['out_of_stock', 'unknown_sku']).nullable(),
        price: Money,
        total: Money,
        change: LineChangeSchema.nullable(),
      }),
    ),
    total: Money,
    totals: z.object({ amount: Money, vat: Money, vatRate: z.number(), currency: z.literal('RUB') }),
  })
  .openapi('Invoice');

/** `3`, `"3"` or `W/"3"`: what expectedVersion() accepts, so the document and the server agree. */
export const IF_MATCH_FORMAT = /^\s*(?:W\/)?"?\d{1,15}"?\s*$/;
export function visibilityOf(user: User): Visibility {
  if (user.role === 'customer' && user.customerId) return { customerId: user.customerId };
  if (user.role === 'manager' && user.email) return { managerEmail: user.email };
  if (user.role === 'admin') return 'all';
  throw new Problem('forbidden', `Роль «${user.role}» не видит счета`);
}

/** `If-Match: 3` or `If-Match: "3"` → 3. */
export function expectedVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = IF_MATCH_FORMAT.test(header) ? /(\d+)/.exec(header) : null;
  if (!m) throw new Problem('validation_failed', 'If-Match должен содержать версию счёта', [{ path: 'header.if-match', message: 'expected a version number' }]);
  return Number(m[1]);
}

/**
 * The command envelope of a request: who, which version it saw, and its request id. The request
 * id (also the Temporal update id) comes from the Idempotency-Key scoped by caller, method and
 * path, never from the raw header: the same key sent by another caller or to another operation
 * is another request.
 */
export function command(c: Context<AppEnv>): InvoiceCommand {
  const user = c.get('user');
  const version = expectedVersion(c.req.header('If-Match'));
  return {
    actor: { type: user.role, id: user.sub },
    ...(version !== undefined ? { expectedVersion: version } : {}),
    requestId: scopedRequestId(c),
  };
}

/** Sends a command to the invoice's workflow; a finished workflow means the invoice is deleted. */
export async function sendInvoiceCommand<C extends InvoiceCommand>(
  temporal: Client,
  invoice: InvoiceState,
  update: UpdateDefinition<InvoiceState, [C]>,
  cmd: C,
): Promise<InvoiceState> {
  const gone = () => new Problem('invalid_transition', `Счёт ${invoice.number} удалён: действия с ним недоступны`);
  if (isFinal(invoice.status)) throw gone();
  try {
    return await temporal.workflow.getHandle(invoiceWorkflowId(invoice.id)).executeUpdate(update, { args: [cmd], updateId: cmd.requestId });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw gone();
    throw err;
  }
}
