/** Human document numbers, sequential per year: СЧ-2026-000123 (invoice), РЛ-2026-000007 (realization). */
export const NUMBER_PREFIX = { invoice: 'СЧ', realization: 'РЛ', payment_invoice: 'СО' } as const;
export type NumberKind = keyof typeof NUMBER_PREFIX;

export function formatDocumentNumber(kind: NumberKind, year: number, sequence: number): string {
  return `${NUMBER_PREFIX[kind]}-${year}-${String(sequence).padStart(6, '0')}`;
}
