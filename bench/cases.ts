// The documents of B5 rendered alone: one case per process, so its peak memory (maxRSS) is its own.
// Generates from in-memory data through the same generator functions the document activities use;
// B5 puts the same lines in PostgreSQL for the API's turn.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildInventoryPdf } from '../formats/inventory.pdf.js';
import { buildSalesXlsx } from '../formats/reports.xlsx.js';
import type { ShippedLine } from '../core/domain/reports.js';

export const SALES_LINES = 50_000;
export const INVENTORY_LINES = 500;

/** Line `i` of the sales report: each line a SKU of its own, so 50,000 lines make 50,000 rows. */
export function salesLine(i: number): Omit<ShippedLine, 'realizationNumber' | 'date'> {
  return {
    sku: `ЛГ-${i}-S`,
    article: `ЛГ-${i}`,
    name: `Колготки женские модель ${i}`,
    characteristic: 'размер 3, чёрный',
    quantity: 1 + (i % 7),
    priceKopecks: 14990 + i,
  };
}

/** Line `i` of the inventory: two lines to a box. */
export function inventoryLine(i: number) {
  return {
    article: `ЛГ-${i}`,
    name: `Колготки женские модель ${i}`,
    characteristic: 'размер 3, чёрный',
    quantity: 10,
    certificateNumber: `ЕАЭС RU Д-RU.РА01.В.${10000 + i}/24`,
    certificateValidUntil: '2029-12-31',
    box: Math.floor(i / 2) + 1,
  };
}

export const CASES = {
  'sales-50k': async () => {
    const lines = (function* (): Generator<ShippedLine> {
      for (let i = 0; i < SALES_LINES; i++) {
        yield { ...salesLine(i), realizationNumber: `РЛ-2026-${String(i % 500).padStart(6, '0')}`, date: '2026-11-01' };
      }
    })();
    return buildSalesXlsx({ customerName: 'ООО «Бенчмарк»', today: '2026-11-27', from: '2026-06-01', to: '2026-11-27' }, lines);
  },
  'inventory-500': async () => {
    const lines = Array.from({ length: INVENTORY_LINES }, (_, i) => inventoryLine(i));
    return buildInventoryPdf({
      invoiceNumber: 'СЧ-2026-000001',
      statusLabel: 'Отгружен',
      customerName: 'ООО «Бенчмарк»',
      supplierName: 'ООО «Поставщик»',
      generatedAt: '2026-11-27T10:00:00Z',
      lines: lines.map(({ box, ...l }) => ({ ...l, unit: 'шт', boxes: [box] })),
      boxes: Array.from({ length: INVENTORY_LINES / 2 }, (_, b) => ({
        number: b + 1,
        lines: lines.filter((l) => l.box === b + 1).map(({ article, name, characteristic, quantity }) => ({ article, name, characteristic, quantity })),
      })),
    });
  },
} satisfies Record<string, () => Promise<Buffer>>;

export type CaseName = keyof typeof CASES;

// Run as a child: `node --import tsx bench/cases.ts <case> <out-file>`; prints one JSON line.
// Imported (by B5) it does nothing.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, out] = process.argv.slice(2);
  if (!name || !out || !(name in CASES)) throw new Error(`usage: cases.ts <${Object.keys(CASES).join('|')}> <out-file>`);
  const started = performance.now();
  const bytes = await CASES[name as CaseName]();
  const ms = performance.now() - started;
  writeFileSync(out, bytes);
  // maxRSS is in kilobytes.
  console.log(JSON.stringify({ ms, bytes: bytes.length, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}
