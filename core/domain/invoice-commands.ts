import type { FailureCode } from './failures.js';
import {
  isFinal,
  isLocked,
  refusal,
  waitsOnCustomer,
  warehouseRefusal,
  type InvoiceAction,
  type InvoiceLine,
  type InvoiceStatus,
  type WarehouseStatus,
} from './invoice.js';
import { validateBoxes, type Box } from './packing.js';

/**
 * Whether an invoice accepts a command now, decided from its state and the command alone. Each rule
 * answers undefined (accepted) or the first refusal, with the code the API answers; the invoice
 * workflow turns a refusal into a non-retryable failure. The order of the checks is part of the
 * rule: it decides which refusal a caller sees when several apply.
 */

export interface CommandRefusal {
  code: FailureCode;
  reason: string;
}

/** What the rules read of an invoice (the workflow's InvoiceState fits). */
export interface InvoiceFacts {
  id: string;
  number: string;
  customerId: string;
  status: InvoiceStatus;
  version: number;
  lines: readonly InvoiceLine[];
  lockedBy?: string | null;
  mergedInto: string | null;
}

/** `If-Match` from the API: a command for an older version is refused. */
export function versionRefusal(invoice: InvoiceFacts, expectedVersion: number | undefined): CommandRefusal | undefined {
  if (expectedVersion === undefined || expectedVersion === invoice.version) return undefined;
  return {
    code: 'version_conflict',
    reason: `Счёт изменился (версия ${invoice.version}, а не ${expectedVersion}): обновите его и повторите действие`,
  };
}

/** A merge holding the invoice keeps every other command out. */
export function mergingRefusal(invoice: InvoiceFacts): CommandRefusal | undefined {
  if (!invoice.lockedBy) return undefined;
  return { code: 'invalid_transition', reason: 'Счёт сейчас объединяется с другими счетами: повторите действие через несколько секунд' };
}

/** A customer's command (edit, submit, add items, ship, cancel). */
export function customerActionRefusal(invoice: InvoiceFacts, expectedVersion: number | undefined, action: InvoiceAction): CommandRefusal | undefined {
  return versionRefusal(invoice, expectedVersion) ?? mergingRefusal(invoice) ?? refusal(invoice.status, action);
}

/** Sending for shipment needs at least one approved line (checked when the command runs). */
export function nothingToShipRefusal(invoice: InvoiceFacts): CommandRefusal | undefined {
  if (invoice.lines.some((l) => l.approved > 0)) return undefined;
  return { code: 'invalid_transition', reason: 'В счёте нет подтверждённых позиций: отгружать нечего' };
}

/** A manager's adjustment: only while the invoice waits on the customer, and only its own lines. */
export function adjustmentRefusal(invoice: InvoiceFacts, cmd: { expectedVersion?: number; lines: readonly { sku: string }[] }): CommandRefusal | undefined {
  const early = versionRefusal(invoice, cmd.expectedVersion) ?? mergingRefusal(invoice);
  if (early) return early;
  if (isLocked(invoice.status)) return { code: 'invoice_locked', reason: 'Счёт отправлен на отгрузку: менять его нельзя' };
  if (!waitsOnCustomer(invoice.status)) return { code: 'invalid_transition', reason: 'Менять можно только счёт, ожидающий клиента' };
  const unknown = cmd.lines.filter((l) => !invoice.lines.some((s) => s.sku === l.sku)).map((l) => l.sku);
  if (unknown.length) return { code: 'validation_failed', reason: `В счёте нет позиций ${unknown.join(', ')}` };
  return undefined;
}

/** A warehouse step: one status at a time, and boxes (checked against the lines) only when assembled. */
export function warehouseStepRefusal(
  invoice: InvoiceFacts,
  cmd: { expectedVersion?: number; status: WarehouseStatus; boxes?: readonly Box[] },
): CommandRefusal | undefined {
  const early = versionRefusal(invoice, cmd.expectedVersion) ?? mergingRefusal(invoice);
  if (early) return early;
  const refused = warehouseRefusal(invoice.status, cmd.status);
  if (refused) return { code: 'invalid_transition', reason: refused };
  if (cmd.boxes && cmd.status !== 'assembled') return { code: 'validation_failed', reason: 'Короба передаются только со статусом «Собран»' };
  if (cmd.boxes) {
    const result = validateBoxes(invoice.lines, cmd.boxes);
    if (!result.ok) return { code: 'validation_failed', reason: result.reason };
  }
  return undefined;
}

/** The merge saga's steps as an invoice sees them (the `mergeStep` update's `step`). */
export type InvoiceMergeStep = 'lock' | 'release' | 'mark' | 'restore' | 'cleanup' | 'lockForUnmerge' | 'discard';

/**
 * A merge saga's step. Every step must be safe to retry, and a failed merge's compensation
 * (release, restore, discard) must be accepted, so most steps refuse only a stranger's merge.
 */
export function mergeStepRefusal(
  invoice: InvoiceFacts,
  cmd: { mergeId: string; step: InvoiceMergeStep; customerId: string; expectedVersion?: number },
): CommandRefusal | undefined {
  // Another company's merge must not learn this invoice exists.
  if (cmd.customerId !== invoice.customerId) return { code: 'not_found', reason: 'Счёт не найден' };
  const mine = invoice.lockedBy === cmd.mergeId;
  switch (cmd.step) {
    case 'lock':
    case 'lockForUnmerge': {
      if (mine) return undefined; // a retried step
      const stale = versionRefusal(invoice, cmd.expectedVersion);
      if (stale) return stale;
      if (invoice.lockedBy) return { code: 'invalid_transition', reason: `Счёт ${invoice.number} уже объединяется с другими счетами` };
      if (cmd.step === 'lock') {
        const refused = refusal(invoice.status, 'merge');
        if (refused) return { code: refused.code, reason: `Счёт ${invoice.number}: ${refused.reason}` };
        return undefined;
      }
      if (invoice.status !== 'draft' || invoice.version !== 1) {
        return {
          code: 'invalid_transition',
          reason: 'Объединение можно отменить, только пока новый счёт не изменялся и не отправлялся на подтверждение',
        };
      }
      return undefined;
    }
    case 'release':
      return undefined;
    case 'mark':
    case 'discard': {
      // The new invoice (its id is the merge id) is discarded by its own merge, locked or not:
      // a failed merge's compensation must be accepted.
      const ownNew = cmd.step === 'discard' && invoice.id === cmd.mergeId;
      const markedByIt = cmd.step === 'mark' && invoice.mergedInto === cmd.mergeId;
      const gone = cmd.step === 'discard' && isFinal(invoice.status);
      if (mine || ownNew || markedByIt || gone) return undefined;
      return { code: 'invalid_transition', reason: `Счёт ${invoice.number} не заблокирован этим объединением` };
    }
    case 'restore':
    case 'cleanup': {
      const gone = cmd.step === 'cleanup' && isFinal(invoice.status);
      if (invoice.mergedInto === cmd.mergeId || mine || gone) return undefined;
      return { code: 'invalid_transition', reason: `Счёт ${invoice.number} не был объединён этим объединением` };
    }
  }
}
