/** Business dates follow Moscow time (UTC+3 all year, no DST since 2014). */
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

export function moscowYear(epochMs: number): number {
  return new Date(epochMs + MOSCOW_OFFSET_MS).getUTCFullYear();
}
