import { createRoute, z } from '@hono/zod-openapi';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import { findInvoice, invoiceHistory, listInvoices } from '../../db/invoices.repository.js';
import { joinWaitlist } from '../../db/waitlist.repository.js';
import { mergeWorkflowId } from '../../core/contracts/ids.js';
import { mergeOutcomeUpdate, unmergeUpdate } from '../../core/contracts/merge.js';
import { CustomerIdAttribute } from '../../core/contracts/search-attributes.js';
import type { mergeWorkflow } from '../../workflows/merge.workflow.js';
import {
  answerChangesUpdate,
  cancelInvoiceUpdate,
  editInvoiceUpdate,
  shipInvoiceUpdate,
  submitInvoiceUpdate,
  type InvoiceCommand,
} from '../../core/contracts/invoice-messages.js';
import type { InvoiceState } from '../../core/contracts/invoice.js';
import { INVOICE_STATUSES, refusal } from '../../core/domain/invoice.js';
import { MAX_INVOICE_LINES, MAX_MERGE_SOURCES } from '../../core/domain/limits.js';
import { answerChanges, CHANGE_ANSWERS } from '../../core/domain/line-changes.js';
import { addingRefusal } from '../../core/domain/lines.js';
import { requireRole } from '../auth.js';
import { resourceId, stableUuid } from '../idempotency.js';
import { Problem } from '../errors.js';
import { command, IF_MATCH_FORMAT, InvoiceSchema, sendInvoiceCommand, visibilityOf } from '../invoice-commands.js';
import { commonErrors, createRouter, decodeCursor, encodeCursor, json, PageQuery, Quantity, Sku, type ApiDeps, type AppEnv, problem } from '../router.js';
import { invoiceView } from '../views.js';
import { pokeAfterCommit } from '../waitlist-poke.js';

const IdParam = z.object({ id: z.uuid() });
const IfMatch = z.object({
  'if-match': z
    .string()
    .regex(IF_MATCH_FORMAT, 'версия счёта, например "3"')
    .optional()
    .openapi({ description: 'the invoice version you saw', example: '"3"' }),
});
const conflictErrors = {
  409: problem('invalid_transition or invoice_locked'),
  412: problem('version_conflict'),
};

const listRoute = createRoute({
  method: 'get',
  path: '/v1/invoices',
  summary: "The caller's invoices",
  request: { query: PageQuery.extend({ status: z.string().max(500).optional().openapi({ description: 'comma-separated statuses' }) }) },
  responses: { 200: json(z.object({ items: z.array(InvoiceSchema), nextCursor: z.string().nullable() }), 'Invoices'), ...commonErrors },
});
const getRoute = createRoute({
  method: 'get',
  path: '/v1/invoices/{id}',
  summary: 'An invoice',
  request: { params: IdParam },
  responses: { 200: json(InvoiceSchema, 'Invoice'), ...commonErrors },
});
const historyRoute = createRoute({
  method: 'get',
  path: '/v1/invoices/{id}/history',
  summary: 'Audit trail of the invoice',
  request: { params: IdParam },
  responses: {
    200: json(
      z.array(
        z.object({
          at: z.string(),
          actor: z.object({ type: z.string(), id: z.string() }),
          action: z.string(),
          fromStatus: z.string().nullable(),
          toStatus: z.string(),
          details: z.record(z.string(), z.unknown()),
        }),
      ),
      'History',
    ),
    ...commonErrors,
  },
});
// Generic in the action so each path stays a literal type (the typed client names it).
const actionRoute = <A extends string>(action: A, summary: string) =>
  createRoute({
    method: 'post',
    path: `/v1/invoices/{id}/${action}`,
    summary,
    request: { params: IdParam, headers: IfMatch },
    responses: { 200: json(InvoiceSchema, 'The invoice after the action'), ...commonErrors, ...conflictErrors },
  });
const cancelRoute = actionRoute('cancel', 'Delete the invoice now, releasing its stock');
const submitRoute = actionRoute('submit', 'Send for confirmation: re-check every line (from changed: accept the changes)');
const shipRoute = actionRoute('ship', 'Send for shipment (only from confirmed): locks the invoice');
const mergeRoute = createRoute({
  method: 'post',
  path: '/v1/invoices/merge',
  summary: 'Merge two or more invoices into a new draft (sources: marked_for_deletion, then deleted)',
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ invoiceIds: z.array(z.uuid()).min(2, 'не меньше двух счетов').max(MAX_MERGE_SOURCES) }) } },
      required: true,
    },
  },
  responses: { 202: json(z.object({ invoiceId: z.uuid() }), 'The new invoice'), ...commonErrors, ...conflictErrors },
});
const unmergeRoute = createRoute({
  method: 'post',
  path: '/v1/invoices/{id}/unmerge',
  summary: 'Undo a merge while the new invoice is an untouched draft and its sources are not yet deleted',
  request: { params: IdParam, headers: IfMatch },
  responses: { 200: json(z.object({ invoiceId: z.uuid(), restoredInvoiceIds: z.array(z.uuid()) }), 'Sources restored'), ...commonErrors, ...conflictErrors },
});
/** A JSON body `{ lines: [...] }`: one to MAX_INVOICE_LINES items of `item`'s shape. */
const linesBody = <T extends z.ZodRawShape>(item: T) => ({
  content: { 'application/json': { schema: z.object({ lines: z.array(z.object(item)).min(1).max(MAX_INVOICE_LINES) }) } },
  required: true as const,
});
const editRoute = createRoute({
  method: 'patch',
  path: '/v1/invoices/{id}',
  summary: 'Change quantities or remove lines (0 removes) → draft',
  request: {
    params: IdParam,
    headers: IfMatch,
    body: linesBody({ sku: Sku, quantity: Quantity }),
  },
  responses: { 200: json(InvoiceSchema, 'The edited invoice'), ...commonErrors, ...conflictErrors },
});

const answerRoute = createRoute({
  method: 'post',
  path: '/v1/invoices/{id}/answer-changes',
  summary:
    'Answer a change line by line (only "changed"): accept a changed line as it is now, remove it (its stock released), or keep a lowered line and wait for the rest (a waitlist place) → confirmed',
  request: {
    params: IdParam,
    headers: IfMatch,
    body: linesBody({ sku: Sku, answer: z.enum(CHANGE_ANSWERS) }),
  },
  responses: { 200: json(InvoiceSchema, 'The confirmed invoice'), ...commonErrors, ...conflictErrors },
});

export function invoiceRoutes(deps: ApiDeps) {
  const { db, temporal, config } = deps;
  async function visibleInvoice(c: Context<AppEnv>, id: string): Promise<InvoiceState> {
    const invoice = await findInvoice(db, id, visibilityOf(c.get('user')));
    if (!invoice) throw new Problem('not_found', 'Счёт не найден');
    return invoice;
  }

  async function customersInvoice(c: Context<AppEnv>, id: string): Promise<InvoiceState> {
    const invoice = await visibleInvoice(c, id);
    if (c.get('user').role !== 'customer') throw new Problem('forbidden', 'Это действие доступно только клиенту');
    return invoice;
  }

  /** The invoice an earlier merge under the same id created, or undefined if it never started. */
  async function mergeOutcome(mergeId: string) {
    try {
      return await temporal.workflow.getHandle(mergeWorkflowId(mergeId)).executeUpdate(mergeOutcomeUpdate);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  const send = <C extends InvoiceCommand>(invoice: InvoiceState, update: UpdateDefinition<InvoiceState, [C]>, cmd: C) =>
    sendInvoiceCommand(temporal, invoice, update, cmd);

  /** A place already held for the SKU stays as it is (one per customer and SKU). */
  async function waitForRest(invoice: InvoiceState, waitFor: { sku: string; quantity: number }[]): Promise<void> {
    const waitUntil = new Date(Date.now() + config.waitlist.ttlMs).toISOString();
    for (const { sku, quantity } of waitFor) {
      const id = stableUuid('answer-wait', invoice.id, invoice.version, sku);
      const joined = await joinWaitlist(db, { id, customerId: invoice.customerId, sku, quantity, waitUntil, invoiceId: invoice.id });
      if ('entry' in joined) await pokeAfterCommit(deps, sku);
    }
  }

  const respond = (c: Context<AppEnv>, state: InvoiceState) => c.json(invoiceView(state), 200, { ETag: `"${state.version}"` });

  const router = createRouter();
  router.use('/v1/invoices', requireRole('customer', 'manager'));
  router.use('/v1/invoices/*', requireRole('customer', 'manager'));
  return router
    .openapi(listRoute, async (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const statuses = status
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = statuses?.filter((s) => !(INVOICE_STATUSES as readonly string[]).includes(s));
      if (bad?.length)
        throw new Problem('validation_failed', `Неизвестный статус: ${bad.join(', ')}`, [
          { path: 'query.status', message: `one of ${INVOICE_STATUSES.join(', ')}` },
        ]);
      const after = decodeCursor(cursor, 2);
      const rows = await listInvoices(db, visibilityOf(c.get('user')), {
        limit: limit + 1,
        ...(statuses?.length ? { statuses: statuses as InvoiceState['status'][] } : {}),
        ...(after ? { after: { createdAt: after[0] ?? '', id: after[1] ?? '' } } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json({ items: page.map(invoiceView), nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null }, 200);
    })
    .openapi(getRoute, async (c) => respond(c, await visibleInvoice(c, c.req.valid('param').id)))
    .openapi(historyRoute, async (c) => {
      const invoice = await visibleInvoice(c, c.req.valid('param').id);
      return c.json(await invoiceHistory(db, invoice.id), 200);
    })
    .openapi(cancelRoute, async (c) => respond(c, await send(await customersInvoice(c, c.req.valid('param').id), cancelInvoiceUpdate, command(c))))
    .openapi(submitRoute, async (c) => respond(c, await send(await customersInvoice(c, c.req.valid('param').id), submitInvoiceUpdate, command(c))))
    .openapi(answerRoute, async (c) => {
      const invoice = await customersInvoice(c, c.req.valid('param').id);
      const { lines } = c.req.valid('json');
      const state = await send(invoice, answerChangesUpdate, { ...command(c), lines });
      // "Keep the new quantity, wait for the rest": the rest goes on the waitlist, once per line
      // (ids from the invoice's version, so a retried answer joins nothing twice).
      const answered = answerChanges(invoice.lines, lines);
      if (answered.ok) await waitForRest(invoice, answered.waitFor);
      return respond(c, state);
    })
    .openapi(shipRoute, async (c) => respond(c, await send(await customersInvoice(c, c.req.valid('param').id), shipInvoiceUpdate, command(c))))
    .openapi(mergeRoute, async (c) => {
      const user = c.get('user');
      if (user.role !== 'customer' || !user.customerId) throw new Problem('forbidden', 'Объединять счета может только клиент');
      const ids = c.req.valid('json').invoiceIds;
      if (new Set(ids).size !== ids.length)
        throw new Problem('validation_failed', 'Счета в списке повторяются', [{ path: 'json.invoiceIds', message: 'duplicate ids' }]);
      // Checked before anything starts; the saga checks again under its locks.
      const sources = await Promise.all(ids.map((id) => visibleInvoice(c, id)));
      // Under an Idempotency-Key the merge id comes from the key, so a retry after a lost answer
      // joins the saga it started (whose sources are locked by now) instead of refusing.
      const mergeId = resourceId(c);
      for (const source of sources) {
        const refused = refusal(source.status, 'merge');
        if (!refused) continue;
        const earlier = c.get('idempotencyId') ? await mergeOutcome(mergeId) : undefined;
        if (earlier) return c.json({ invoiceId: earlier.id }, 202, { Location: `/v1/invoices/${earlier.id}` });
        throw new Problem(refused.code, `Счёт ${source.number}: ${refused.reason}`);
      }
      // The merged invoice sums the same SKU like "add items": the same bounds (lines, pieces per line).
      const tooBig = addingRefusal(
        [],
        sources.flatMap((source) => source.lines.map((l) => ({ sku: l.sku, quantity: l.requested }))),
      );
      if (tooBig) throw new Problem('too_many_lines', `Объединение: ${tooBig}`);
      const created = await temporal.workflow.executeUpdateWithStart(mergeOutcomeUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation<typeof mergeWorkflow>('mergeWorkflow', {
          workflowId: mergeWorkflowId(mergeId),
          taskQueue: config.temporal.taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [{ key: CustomerIdAttribute, value: user.customerId }],
          args: [{ mergeId, customerId: user.customerId, sourceIds: ids, actor: { type: 'customer', id: user.sub }, settings: config.durations }],
          staticSummary: `Объединение счетов ${sources.map((s) => s.number).join(', ')}`,
        }),
      });
      return c.json({ invoiceId: created.id }, 202, { Location: `/v1/invoices/${created.id}` });
    })
    .openapi(unmergeRoute, async (c) => {
      const invoice = await customersInvoice(c, c.req.valid('param').id);
      if (!invoice.mergedFrom?.length) throw new Problem('invalid_transition', `Счёт ${invoice.number} не получен объединением`);
      try {
        const result = await temporal.workflow.getHandle(mergeWorkflowId(invoice.id)).executeUpdate(unmergeUpdate, { args: [command(c)] });
        return c.json({ invoiceId: invoice.id, ...result }, 200);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // The merge has ended: undone already (its sources are back, unmarked), or cleaned up.
        const source = await findInvoice(db, invoice.mergedFrom[0] ?? '', visibilityOf(c.get('user')));
        const undone = source && source.mergedInto === null && source.status !== 'deleted';
        throw new Problem(
          'invalid_transition',
          undone ? 'Объединение уже отменено: исходные счета восстановлены' : 'Отменить объединение уже нельзя: исходные счета удалены',
        );
      }
    })
    .openapi(editRoute, async (c) => {
      const invoice = await customersInvoice(c, c.req.valid('param').id);
      return respond(c, await send(invoice, editInvoiceUpdate, { ...command(c), lines: c.req.valid('json').lines }));
    });
}
