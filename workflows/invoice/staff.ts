import { patched, setHandler, uuid4 } from '@temporalio/workflow';
import { adjustInvoiceUpdate, warehouseStepUpdate, type ManagerAdjustment, type WarehouseStep } from '../../core/contracts/invoice-messages.js';
import { adjustmentRefusal, warehouseStepRefusal } from '../../core/domain/invoice-commands.js';
import { markChanged } from '../../core/domain/line-changes.js';
import { adjustmentTargets, applyAdjustment } from '../../core/domain/lines.js';
import { packByPiecesPerBox } from '../../core/domain/packing.js';
import { moscowYear } from '../../core/domain/time.js';
import { db } from '../activities.js';
import type { InvoiceContext } from './context.js';

/** Staff commands: the manager's adjustment and the warehouse's steps. */
export function registerStaffCommands(run: InvoiceContext): void {
  const adjustable = (cmd: ManagerAdjustment) => {
    run.check(cmd, (invoice) => adjustmentRefusal(invoice, cmd));
  };
  const warehouseMayStep = (cmd: WarehouseStep) => {
    run.check(cmd, (invoice) => warehouseStepRefusal(invoice, cmd));
  };

  setHandler(
    adjustInvoiceUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => adjustable(cmd),
        () => adjust(run, cmd),
      ),
    {
      validator: (cmd: ManagerAdjustment) => adjustable(cmd),
    },
  );
  setHandler(
    warehouseStepUpdate,
    (cmd) =>
      run.command(
        cmd,
        () => warehouseMayStep(cmd),
        () => warehouseStep(run, cmd),
      ),
    {
      validator: (cmd: WarehouseStep) => warehouseMayStep(cmd),
    },
  );
}

/** Manager: new quantities or prices with a comment, stock re-reserved → changed; the customer decides. */
async function adjust(run: InvoiceContext, cmd: ManagerAdjustment): Promise<void> {
  const from = run.state.status;
  const checked = await run.reserve(adjustmentTargets(run.state.lines, cmd.lines), 'reserve manager quantities');
  const adjusted = applyAdjustment(run.state.lines, checked, cmd.lines);
  const lines = markChanged(run.state.lines, adjusted, { by: 'manager', actorId: cmd.actor.id, reason: cmd.comment, at: new Date().toISOString() });
  await run.commit({ ...run.state, status: 'changed', lines }, cmd.actor, 'manager_adjust', { comment: cmd.comment, lines: cmd.lines });
  run.notify(from, { reason: cmd.comment });
}

/** Warehouse: shipment_confirmed → to_warehouse → assembled → shipped, one step per command. */
async function warehouseStep(run: InvoiceContext, cmd: WarehouseStep): Promise<void> {
  const from = run.state.status;
  if (cmd.status === 'to_warehouse') {
    // Picked goods are set aside: from here on no stock cut may take them.
    if (patched('pin-before-picking')) {
      await db.pinInvoiceReservations.executeWithOptions({ summary: 'pin reservations for picking' }, [
        { invoiceId: run.state.id, lines: run.state.lines.map((l) => ({ sku: l.sku, approved: l.approved })) },
      ]);
    }
    await run.commit({ ...run.state, status: 'to_warehouse' }, cmd.actor, 'to_warehouse');
  } else if (cmd.status === 'assembled') {
    const boxes = cmd.boxes ?? packByPiecesPerBox(run.state.lines);
    await run.commit({ ...run.state, status: 'assembled', boxes }, cmd.actor, 'assembled', {
      boxes: boxes.length,
      packedBy: cmd.boxes ? 'warehouse' : 'pieces_per_box',
    });
  } else {
    // Shipped: a realization number, the shipment written off the stock, then the status.
    const realizationId = uuid4();
    const now = Date.now();
    const number = await db.allocateNumber.executeWithOptions({ summary: 'allocate realization number' }, [
      { kind: 'realization', entityId: realizationId, year: moscowYear(now) },
    ]);
    await db.commitShipment.executeWithOptions({ summary: `ship: realization ${number}` }, [
      {
        invoiceId: run.state.id,
        customerId: run.state.customerId,
        realizationId,
        realizationNumber: number,
        shippedAt: new Date(now).toISOString(),
        lines: run.state.lines,
        boxes: run.state.boxes ?? packByPiecesPerBox(run.state.lines),
      },
    ]);
    await run.commit({ ...run.state, status: 'shipped', realization: { id: realizationId, number } }, cmd.actor, 'shipped', { realization: number });
  }
  run.notify(from, run.state.realization ? { realizationNumber: run.state.realization.number } : {});
}
