/** Business dates follow Moscow time (UTC+3 all year, no DST since 2014). */
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

export function moscowYear(epochMs: number): number {
  return new Date(epochMs + MOSCOW_OFFSET_MS).getUTCFullYear();
}

/** "14.03.2026 12:05 МСК": a moment as Moscow operators read it (no Intl: ICU data differs between hosts). */
export function formatMoscowDateTime(epochMs: number): string {
  const d = new Date(epochMs + MOSCOW_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} МСК`;
}
