import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editInvoiceUpdate } from '../core/contracts/invoice-messages.js';
import { getInvoiceQuery } from '../core/contracts/invoice.js';
import { findTemporalBinary, startTemporalDevServer } from '../runtime/dev-stack.js';
import { addProduct, stockOf } from './support/fixtures.js';
import { newCustomer, orderInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

// A dev server of its own that suggests continue-as-new after a few dozen history events, so an
// invoice's long life (days, many messages) is squeezed into a test.
let server: Awaited<ReturnType<typeof startTemporalDevServer>>;
let s: TestStack;
beforeAll(async () => {
  server = await startTemporalDevServer({
    cli: findTemporalBinary('temporal', process.env.TEMPORAL_CLI),
    uiPort: null,
    namespace: 'default',
    logFile: join(tmpdir(), `temporal-can-${process.pid}.log`),
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 },
  });
  s = await startTestStack({}, server.address);
});
afterAll(async () => {
  await s.stop();
  await server.stop();
});

describe('continue-as-new', () => {
  it('carries the state and the processed request ids into the next run', async () => {
    await addProduct(s.db, 'CAN-A', { onHand: 1000 });
    const me = await newCustomer(s);
    const inv = (await orderInvoice(me.call, { 'CAN-A': 100 })).body;
    const handle = s.client.workflow.getHandle(`invoice/${inv.id}`);
    const firstRun = (await handle.describe()).runId;
    const actor = { type: 'customer' as const, id: 'buyer' };

    for (let i = 1; i <= 12; i++) {
      await handle.executeUpdate(editInvoiceUpdate, { args: [{ actor, requestId: `edit-${i}`, lines: [{ sku: 'CAN-A', quantity: 100 - i }] }] });
    }
    await expect.poll(async () => (await handle.describe()).runId, { timeout: 10_000 }).not.toBe(firstRun);
    const history = await s.client.workflow.getHandle(`invoice/${inv.id}`, firstRun).fetchHistory();
    expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    const state = await handle.query(getInvoiceQuery);
    expect(state).toMatchObject({ status: 'draft', version: 13, lines: [expect.objectContaining({ requested: 88, approved: 88 })] });

    // a repeat of a request from the first run is recognised and not applied again
    const repeat = await handle.executeUpdate(editInvoiceUpdate, { args: [{ actor, requestId: 'edit-1', lines: [{ sku: 'CAN-A', quantity: 99 }] }] });
    expect(repeat.version).toBe(13);
    expect(repeat.lines[0]?.requested).toBe(88);
    // even one whose lines would no longer make sense (a line since removed): the answer is the
    // current state, as for any repeat, not a refusal of an edit that was applied long ago
    const stale = await handle.executeUpdate(editInvoiceUpdate, { args: [{ actor, requestId: 'edit-2', lines: [{ sku: 'CAN-GONE', quantity: 0 }] }] });
    expect(stale.version).toBe(13);

    // and the invoice still works in its new run, over HTTP
    const submitted = await me.call('POST', `/v1/invoices/${inv.id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'confirmed', version: 14 });
    expect(await stockOf(s.db, 'CAN-A')).toMatchObject({ reserved: 88, reservationsSum: 88 });
  });
});
