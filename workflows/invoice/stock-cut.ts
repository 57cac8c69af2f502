import { condition, setHandler } from '@temporalio/workflow';
import { SYSTEM_ACTOR } from '../../core/contracts/invoice.js';
import { reservationsCutSignal } from '../../core/contracts/invoice-messages.js';
import { cutPriority, waitsOnCustomer } from '../../core/domain/invoice.js';
import { markChanged } from '../../core/domain/line-changes.js';
import { applyHeld, cutReason } from '../../core/domain/lines.js';
import { db } from '../activities.js';
import type { InvoiceContext } from './context.js';

/** A stock correction (or an undone merge) may have cut this invoice's reservations. */
export function registerStockCut(run: InvoiceContext): void {
  setHandler(reservationsCutSignal, (cut) => onReservationsCut(run, cut));
}

/** Re-reads what the invoice really holds; lines that lost stock show the cut → changed. */
async function onReservationsCut(run: InvoiceContext, { correctionId, sku }: { correctionId: string; sku: string }): Promise<void> {
  // While a merge moves this invoice's stock, its reservations say nothing about its lines.
  await condition(() => !run.state.lockedBy);
  await run.exclusive(async () => {
    // Only invoices whose stock may be cut hear of a cut: picked goods are pinned (never cut),
    // and a merged source's stock went to the new invoice, which re-reads its own.
    if (run.processed.has(correctionId) || cutPriority(run.state.status) === undefined) return;
    const held = await db.getInvoiceReservations.executeWithOptions({ summary: `re-read reservations after a cut of ${sku}` }, [{ invoiceId: run.state.id }]);
    const applied = applyHeld(run.state.lines, new Map(Object.entries(held)));
    const { cut } = applied;
    run.processed.set(correctionId, run.state.version);
    if (cut.length === 0) return;
    const from = run.state.status;
    const reason = cutReason(cut);
    // Each line's own cut as its reason (the email tells the whole cut).
    const cutOf = (sku: string) => cutReason(cut.filter((c) => c.sku === sku));
    const lines = markChanged(run.state.lines, applied.lines, { by: 'stock', actorId: correctionId, reason: cutOf, at: new Date().toISOString() });
    // A locked invoice that lost stock goes back to the customer, whose clock starts again.
    const clock = waitsOnCustomer(from) ? {} : { expiresAt: new Date(Date.now() + run.settings.invoiceTtlMs).toISOString() };
    await run.commit({ ...run.state, status: 'changed', lines, ...clock }, SYSTEM_ACTOR, 'stock_cut', { correctionId, cut });
    run.notify(from, { reason });
  });
}
