// One benchmark case per process, so its peak memory (maxRSS) is its own. Generates from
// in-memory data through the same generator functions the document activities use.
import { writeFileSync } from 'node:fs';
import { buildInventoryPdf } from '../formats/inventory.pdf.js';
import { buildSalesXlsx } from '../formats/reports.xlsx.js';
import type { ShippedLine } from '../core/domain/reports.js';

export const CASES = {
  /** A sales report of 50,000 lines (distinct SKUs: 50,000 output rows). */
  'sales-50k': async () => {
    const lines = (function* (): Generator<ShippedLine> {
      for (let i = 0; i < 50_000; i++) {
        yield {
          realizationNumber: `РЛ-2026-${String(i % 500).padStart(6, '0')}`,
          date: '2026-11-01',
          sku: `ЛГ-${i}-S`,
          article: `ЛГ-${i}`,
          name: `Колготки женские модель ${i}`,
          characteristic: 'размер 3, чёрный',
          quantity: 1 + (i % 7),
          priceKopecks: 14990 + i,
        };
      }
    })();
    return buildSalesXlsx({ customerName: 'ООО «Бенчмарк»', today: '2026-11-27', from: '2026-06-01', to: '2026-11-27' }, lines);
  },
  /** Inventory & certificates for an invoice of 500 lines packed in 250 boxes. */
  'inventory-500': async () =>
    buildInventoryPdf({
      invoiceNumber: 'СЧ-2026-000001',
      statusLabel: 'Отгружен',
      customerName: 'ООО «Бенчмарк»',
      supplierName: 'ООО «Поставщик»',
      generatedAt: '2026-11-27T10:00:00Z',
      lines: Array.from({ length: 500 }, (_, i) => ({
        article: `ЛГ-${i}`,
        name: `Колготки женские модель ${i}`,
        characteristic: 'размер 3, чёрный',
        quantity: 10,
        unit: 'шт',
        certificateNumber: `ЕАЭС RU Д-RU.РА01.В.${10000 + i}/24`,
        certificateValidUntil: '2029-12-31',
        boxes: [Math.floor(i / 2) + 1],
      })),
      boxes: Array.from({ length: 250 }, (_, b) => ({
        number: b + 1,
        lines: [0, 1].map((k) => ({
          article: `ЛГ-${b * 2 + k}`,
          name: `Колготки женские модель ${b * 2 + k}`,
          characteristic: 'размер 3, чёрный',
          quantity: 10,
        })),
      })),
    }),
} satisfies Record<string, () => Promise<Buffer>>;

export type CaseName = keyof typeof CASES;

// Run as a child: `node --import tsx bench/cases.ts <case> <out-file>`; prints one JSON line.
const [name, out] = process.argv.slice(2);
if (name && out && name in CASES) {
  const started = performance.now();
  const bytes = await CASES[name as CaseName]();
  const ms = performance.now() - started;
  writeFileSync(out, bytes);
  // maxRSS is in kilobytes.
  console.log(JSON.stringify({ ms, bytes: bytes.length, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}
