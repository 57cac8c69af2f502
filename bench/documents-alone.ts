// `npm run bench`: each document case in its own process; time and peak memory against limits.
// Exits non-zero when a limit is exceeded. Limits are for a 2-core CI machine with headroom.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

const LIMITS = {
  // 50,000 rows through exceljs' streaming writer: 1.8 s / 183 MB measured (2 cores); the limit
  // leaves room for slower CI while still catching a switch to a whole-DOM writer.
  'sales-50k': { maxMs: 15_000, maxPeakRssMb: 350 },
  // 500 lines + 250 boxes = 28 pages of pdfkit with an embedded, subsetted TTF: 0.7 s / 142 MB measured.
  'inventory-500': { maxMs: 10_000, maxPeakRssMb: 250 },
} as const;

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'bench-'));
const results: { case: string; seconds: string; peakRssMb: string; sizeKb: string; limit: string; check: string; ok: boolean }[] = [];

try {
  for (const [name, limit] of Object.entries(LIMITS)) {
    const out = path.join(dir, name);
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'cases.ts'), name, out], { encoding: 'utf8' });
    const m = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; bytes: number; peakRssMb: number };
    // Read the file back so a broken generator cannot pass on speed alone.
    const bytes = readFileSync(out);
    let check: string;
    if (name === 'sales-50k') {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      const rows = wb.worksheets[0]?.actualRowCount ?? 0;
      check = rows >= 50_000 ? `${rows} rows` : `FAIL: ${rows} rows`;
    } else {
      const pages = (bytes.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
      check = bytes.subarray(0, 5).toString() === '%PDF-' && pages > 10 ? `${pages} pages` : `FAIL: ${pages} pages`;
    }
    const ok = m.ms <= limit.maxMs && m.peakRssMb <= limit.maxPeakRssMb && !check.startsWith('FAIL');
    results.push({
      case: name,
      seconds: (m.ms / 1000).toFixed(2),
      peakRssMb: m.peakRssMb.toFixed(0),
      sizeKb: (m.bytes / 1024).toFixed(0),
      limit: `≤ ${limit.maxMs / 1000} s, ≤ ${limit.maxPeakRssMb} MB`,
      check,
      ok,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.table(results);
const failed = results.filter((r) => !r.ok);
if (failed.length) {
  console.error(`bench: over the limit: ${failed.map((r) => r.case).join(', ')}`);
  process.exit(1);
}
console.log('bench: all within limits');
