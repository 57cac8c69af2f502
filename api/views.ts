import type { InvoiceState } from '../core/contracts/invoice.js';
import { allowedActions, invoiceTotal, lineTotal, rejectedQuantity, STATUS_LABELS, waitsOnCustomer } from '../core/domain/invoice.js';
import { formatRoubles, VAT_RATE_PERCENT, vatIncluded } from '../core/domain/money.js';

/** The invoice as the API shows it (money as rouble strings, Russian label, allowed actions). */
export function invoiceView(s: InvoiceState) {
  const total = invoiceTotal(s.lines);
  return {
    id: s.id,
    number: s.number,
    customerId: s.customerId,
    orderId: s.orderId,
    status: s.status,
    statusLabel: STATUS_LABELS[s.status],
    allowedActions: allowedActions(s.status),
    version: s.version,
    expiresAt: waitsOnCustomer(s.status) ? s.expiresAt : null,
    mergedInto: s.mergedInto,
    mergedFrom: s.mergedFrom ?? null,
    createdAt: s.createdAt,
    confirmedAt: s.confirmedAt,
    lines: s.lines.map((l) => ({
      sku: l.sku,
      article: l.article,
      name: l.name,
      characteristic: l.characteristic,
      requested: l.requested,
      approved: l.approved,
      rejected: rejectedQuantity(l),
      rejectionReason: l.reason ?? null,
      price: formatRoubles(l.priceKopecks),
      total: formatRoubles(lineTotal(l)),
      change: l.change
        ? {
            by: l.change.by,
            managerId: l.change.by === 'manager' ? l.change.actorId : null,
            reason: l.change.reason,
            at: l.change.at,
            before: { approved: l.change.before.approved, price: formatRoubles(l.change.before.priceKopecks) },
            after: { approved: l.approved, price: formatRoubles(l.priceKopecks) },
          }
        : null,
    })),
    total: formatRoubles(total),
    totals: { amount: formatRoubles(total), vat: formatRoubles(vatIncluded(total)), vatRate: VAT_RATE_PERCENT, currency: 'RUB' as const },
  };
}
