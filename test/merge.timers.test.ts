import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInvoiceQuery } from '../core/contracts/invoice.js';
import { mergeOutcomeUpdate, type MergeWorkflowInput } from '../core/contracts/merge.js';
import type { mergeWorkflow } from '../workflows/merge.workflow.js';
import { addCustomer, addProduct, stockOf } from './support/fixtures.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

const MINUTE = 60_000;
const actor = { type: 'customer' as const, id: 'buyer' };

let s: TimeSkippingStack;
beforeAll(async () => {
  s = await startTimeSkippingStack();
});
afterAll(() => s.stop());

async function startMerge(customerId: string, sourceIds: string[]) {
  const mergeId = randomUUID();
  const input: MergeWorkflowInput = { mergeId, customerId, sourceIds, actor, settings: s.config.durations };
  const handle = await s.env.client.workflow.start<typeof mergeWorkflow>('mergeWorkflow', {
    workflowId: `merge/${mergeId}`,
    taskQueue: s.taskQueue,
    args: [input],
  });
  return { mergeId, handle };
}

const held = async (invoiceId: string) =>
  (await s.db.selectFrom('reservations').select(['sku', 'quantity']).where('invoice_id', '=', invoiceId).execute()).map((r) => [r.sku, r.quantity]);

describe('merge timers (time-skipping server)', () => {
  it('deletes the sources after the default 5-minute cleanup delay, keeping the stock with the new invoice', async () => {
    const customerId = await addCustomer(s.db);
    await addProduct(s.db, 'MT-A', { onHand: 50 });
    await s.withWorker(async () => {
      const a = await s.startInvoice(customerId, [{ sku: 'MT-A', quantity: 3 }]);
      const b = await s.startInvoice(customerId, [{ sku: 'MT-A', quantity: 4 }]);
      const { mergeId, handle } = await startMerge(customerId, [a.state.id, b.state.id]);
      const created = await handle.executeUpdate(mergeOutcomeUpdate);
      expect(created).toMatchObject({ id: mergeId, status: 'draft' });
      expect((await a.handle.query(getInvoiceQuery)).status).toBe('marked_for_deletion');
      const mergedAt = await s.env.currentTimeMs();

      await s.env.sleep(4 * MINUTE);
      expect((await a.handle.query(getInvoiceQuery)).status).toBe('marked_for_deletion');
      expect(await handle.result()).toBe('cleaned');
      for (const source of [a, b]) {
        expect((await source.handle.result()).status).toBe('deleted');
        const cleanup = await s.db
          .selectFrom('invoice_events')
          .select('at')
          .where('invoice_id', '=', source.state.id)
          .where('action', '=', 'merge_cleanup')
          .executeTakeFirstOrThrow();
        expect(cleanup.at.getTime() - mergedAt).toBeGreaterThanOrEqual(5 * MINUTE - 1000);
        expect(cleanup.at.getTime() - mergedAt).toBeLessThan(6 * MINUTE);
      }
      expect(await held(mergeId)).toEqual([['MT-A', 7]]);
      expect(await stockOf(s.db, 'MT-A')).toEqual({ onHand: 50, reserved: 7, reservationsSum: 7 });
    });
  });
});
