/** Money is integer kopecks inside the system and a "1234.50" rouble string at the edges. */
export type Kopecks = number;

const MONEY_PATTERN = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/** "149.9" → 14990; returns undefined for anything that is not a non-negative amount. */
export function parseRoubles(value: string): Kopecks | undefined {
  const m = MONEY_PATTERN.exec(value.trim());
  if (!m) return undefined;
  const roubles = Number(m[1]);
  const kopecks = Number((m[2] ?? '').padEnd(2, '0'));
  return roubles * 100 + kopecks;
}

/** 1249000 → "12490.00" */
export function formatRoubles(kopecks: Kopecks): string {
  if (!Number.isSafeInteger(kopecks)) throw new RangeError(`not an integer amount: ${kopecks}`);
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 1249000 → "12 490,00 ₽" for Russian texts (emails, documents). */
export function formatRoublesRu(kopecks: Kopecks): string {
  const [whole = '0', fraction = '00'] = formatRoubles(kopecks).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${grouped},${fraction}\u00a0₽`;
}

/**
 * VAT rate in percent. Prices include VAT, as in Russian wholesale invoices; the general rate is
 * 22% since 2026-01-01 (it was 20% before).
 */
export const VAT_RATE_PERCENT = 22;

/** VAT contained in a VAT-inclusive amount, rounded half up to the kopeck. */
export function vatIncluded(totalKopecks: Kopecks, ratePercent = VAT_RATE_PERCENT): Kopecks {
  return Math.floor((totalKopecks * ratePercent * 2 + (100 + ratePercent)) / (2 * (100 + ratePercent)));
}
