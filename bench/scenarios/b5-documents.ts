// B5: documents through the API, one after another: a 50,000-line sales report (XLSX) and a
// 500-line inventory PDF, each requested, polled until ready and downloaded. The floor renders the
// same file alone (bench/cases.ts in a process of its own); its peak memory keeps the old bench's
// limits, which catch a switch to a whole-DOM writer.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { invoiceTotal, type InvoiceLine } from '../../core/domain/invoice.js';
import { monthsBefore, moscowToday } from '../../core/domain/periods.js';
import { addCompanies } from '../../test/faults/support/scenario.js';
import { tokenFor, type Call } from '../../test/faults/support/http.js';
import { INVENTORY_LINES, SALES_LINES, inventoryLine, salesLine, type CaseName } from '../cases.js';
import type { BenchContext, Scenario, ScenarioResult } from '../lib/context.js';
import { overRounds } from '../lib/stats.js';

const POLL_MS = 20;
/** A realization holds at most 500 lines (an invoice's limit): 100 of them make the report. */
const LINES_PER_REALIZATION = 500;
const CASES_FILE = fileURLToPath(new URL('../cases.ts', import.meta.url));

interface DocumentCase {
  name: CaseName;
  scenario: string;
  /** The old bench's limit on rendering alone. */
  aloneMaxRssMb: number;
  /** Asks the API for the document; answers its id. */
  request(call: Call): Promise<string>;
  /** What the file holds, or `FAIL: …`: a broken generator must not pass on speed alone. */
  check(bytes: Buffer): Promise<string>;
}

export const b5: Scenario = {
  id: 'B5',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const [company] = await addCompanies(ctx.db, 'B5', 1);
    const customerId = company!.id;
    const user = { sub: 'bench-b5', role: 'customer' as const, customerId };
    const call = await ctx.as(user);
    const token = await tokenFor(user);
    const today = moscowToday(Date.now());
    await addShippedRealizations(ctx, customerId);
    const invoiceId = await addShippedInvoice(ctx, customerId);

    const cases: DocumentCase[] = [
      {
        name: 'sales-50k',
        scenario: `sales report XLSX, ${SALES_LINES.toLocaleString('en')} lines, ready and downloaded`,
        aloneMaxRssMb: 350,
        // A month back: inside the half year the API allows, and around every realization added.
        request: async (c) => documentId(await c('POST', '/v1/documents', { body: { type: 'sales', from: monthsBefore(today, 1), to: today } })),
        async check(bytes) {
          const wb = new ExcelJS.Workbook();
          await wb.xlsx.load(bytes as unknown as ArrayBuffer);
          const rows = wb.worksheets[0]?.actualRowCount ?? 0;
          return rows >= SALES_LINES ? `${rows} rows` : `FAIL: ${rows} rows`;
        },
      },
      {
        name: 'inventory-500',
        scenario: `inventory PDF, ${INVENTORY_LINES} lines, ready and downloaded`,
        aloneMaxRssMb: 250,
        request: async (c) => documentId(await c('POST', `/v1/invoices/${invoiceId}/inventory-request`)),
        async check(bytes) {
          const pages = (bytes.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
          return bytes.subarray(0, 5).toString() === '%PDF-' && pages > 10 ? `${pages} pages` : `FAIL: ${pages} pages`;
        },
      },
    ];

    const results: ScenarioResult[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'bench-b5-'));
    try {
      for (const c of cases) {
        let file: Buffer = Buffer.alloc(0);
        let aloneRssMb = 0;
        const figures = await overRounds(ctx.rounds, async () => {
          const started = performance.now();
          const id = await c.request(call);
          await ready(call, id);
          file = await download(ctx.api, token, id);
          const api = performance.now() - started;
          const alone = await renderAlone(c.name, join(dir, c.name));
          aloneRssMb = Math.max(aloneRssMb, alone.peakRssMb);
          return { api, floor: alone.ms };
        });
        const check = await c.check(file);
        const ratio = figures.api.median / figures.floor.median;
        results.push({
          id: 'B5',
          scenario: c.scenario,
          unit: 'ms',
          figure: figures.api,
          floor: figures.floor,
          ratio,
          ratioMeaning: '× floor',
          goal: `≤ 2× floor + 1 s; alone ≤ ${c.aloneMaxRssMb} MB`,
          met: figures.api.median <= 2 * figures.floor.median + 1000 && aloneRssMb <= c.aloneMaxRssMb && !check.startsWith('FAIL'),
          counts: { 'alone peak RSS (MB)': Math.round(aloneRssMb), 'file (KB)': Math.round(file.length / 1024), file: check },
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};

function documentId(reply: Awaited<ReturnType<Call>>): string {
  if (reply.status !== 202) throw new Error(`document request: ${reply.status} ${JSON.stringify(reply.body)}`);
  return (reply.body as { documentId: string }).documentId;
}

async function ready(call: Call, id: string): Promise<void> {
  for (const deadline = Date.now() + 180_000; ;) {
    const doc = (await call('GET', `/v1/documents/${id}`)).body as { status?: string; error?: string };
    if (doc.status === 'ready') return;
    if (doc.status === 'failed') throw new Error(`document ${id} failed: ${doc.error}`);
    if (Date.now() > deadline) throw new Error(`document ${id} not ready in 180 s`);
    await sleep(POLL_MS);
  }
}

/** The file's bytes: the bench's JSON caller would mangle them. */
async function download(api: string, token: string, id: string): Promise<Buffer> {
  const res = await fetch(new URL(`/v1/documents/${id}/file`, api), { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`download ${id}: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The case rendered in a process of its own: its own time (start-up excluded) and peak memory. */
async function renderAlone(name: CaseName, out: string): Promise<{ ms: number; peakRssMb: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CASES_FILE, name, out], { encoding: 'utf8' });
  const m = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; peakRssMb: number };
  if (readFileSync(out).length === 0) throw new Error(`${name} alone wrote nothing`);
  return m;
}

/** The report's lines as the shipment wrote them: 100 realizations of 500 lines each, in the last hours. */
async function addShippedRealizations(ctx: BenchContext, customerId: string): Promise<void> {
  for (let r = 0; r < SALES_LINES / LINES_PER_REALIZATION; r++) {
    const lines: InvoiceLine[] = Array.from({ length: LINES_PER_REALIZATION }, (_, k) => {
      const { quantity, ...l } = salesLine(r * LINES_PER_REALIZATION + k);
      return { ...l, requested: quantity, approved: quantity, piecesPerBox: 10 };
    });
    await ctx.db
      .insertInto('realizations')
      .values({
        id: randomUUID(),
        invoice_id: randomUUID(),
        number: `РЛ-B5-${String(r + 1).padStart(6, '0')}`,
        customer_id: customerId,
        shipped_at: new Date(Date.now() - (r + 1) * 60_000),
        lines: JSON.stringify(lines),
        boxes: JSON.stringify([]),
        total_kopecks: invoiceTotal(lines),
      })
      .execute();
  }
}

/** A shipped invoice of 500 lines in 250 boxes, as its read-model row, and its products with certificates. */
async function addShippedInvoice(ctx: BenchContext, customerId: string): Promise<string> {
  const items = Array.from({ length: INVENTORY_LINES }, (_, i) => ({ sku: `B5-ОП-${i}`, ...inventoryLine(i) }));
  await ctx.db
    .insertInto('products')
    .values(
      items.map((p) => ({
        sku: p.sku,
        article: p.article,
        name: p.name,
        characteristic: p.characteristic,
        price_kopecks: 14990,
        pieces_per_box: 2,
        certificate_number: p.certificateNumber,
        certificate_valid_until: p.certificateValidUntil,
      })),
    )
    .execute();
  const lines: InvoiceLine[] = items.map((p) => ({
    sku: p.sku,
    article: p.article,
    name: p.name,
    characteristic: p.characteristic,
    requested: p.quantity,
    approved: p.quantity,
    priceKopecks: 14990,
    piecesPerBox: 2,
  }));
  const boxes = Array.from({ length: INVENTORY_LINES / 2 }, (_, b) => ({
    number: b + 1,
    lines: items.filter((p) => p.box === b + 1).map((p) => ({ sku: p.sku, quantity: p.quantity })),
  }));
  const id = randomUUID();
  await ctx.db
    .insertInto('invoices')
    .values({
      id,
      number: 'СЧ-B5-000001',
      customer_id: customerId,
      order_id: null,
      status: 'shipped',
      version: 1,
      lines: JSON.stringify(lines),
      total_kopecks: invoiceTotal(lines),
      boxes: JSON.stringify(boxes),
      created_at: new Date(),
    })
    .execute();
  return id;
}
