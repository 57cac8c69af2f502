// B6: a 10,000-row order form uploaded through the API, rows per second until its answer. The form
// is the supplier's own (buildOrderForm over 10,000 products) with quantities typed in, as a
// customer fills it. A cart holds at most 500 lines, so two fillings: 500 rows (a full cart, applied)
// and every row (refused whole with too_many_lines — after the API has read all 10,000). The floor
// is exceljs reading the same file alone in the bench process; the API process's peak memory
// (VmHWM) must stay within 256 MB.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { MAX_CART_LINES } from '../../core/domain/limits.js';
import { moscowToday } from '../../core/domain/periods.js';
import { buildOrderForm, QTY_HEADER, type OrderFormProduct } from '../../formats/order-form.js';
import { addCompanies } from '../../test/faults/support/scenario.js';
import { tokenFor } from '../../test/faults/support/http.js';
import type { BenchContext, Scenario, ScenarioResult } from '../lib/context.js';
import { overRounds } from '../lib/stats.js';

const ROWS = 10_000;
const MAX_API_RSS_MB = 256;

interface Filling {
  scenario: string;
  goal: string;
  /** Which of the form's rows (0-based) get a quantity. */
  filled(row: number): boolean;
  /** Whether the API's answer is the one this filling must get. */
  expected(status: number, body: { added?: number; code?: string }): boolean;
}

const FILLINGS: Filling[] = [
  {
    scenario: `order-form upload, ${ROWS.toLocaleString('en')} rows, ${MAX_CART_LINES} filled (a full cart)`,
    goal: `≥ 0.5× floor; API peak RSS ≤ ${MAX_API_RSS_MB} MB`,
    filled: (row) => row % (ROWS / MAX_CART_LINES) === 0,
    expected: (status, body) => status === 200 && body.added === MAX_CART_LINES,
  },
  {
    scenario: `order-form upload, ${ROWS.toLocaleString('en')} rows, every row filled`,
    goal: `≥ 0.5× floor; API peak RSS ≤ ${MAX_API_RSS_MB} MB; refused whole (too_many_lines)`,
    filled: () => true,
    expected: (status, body) => status === 422 && body.code === 'too_many_lines',
  },
];

export const b6: Scenario = {
  id: 'B6',
  async run(ctx: BenchContext): Promise<ScenarioResult[]> {
    const [company] = await addCompanies(ctx.db, 'B6', 1);
    const customerId = company!.id;
    const token = await tokenFor({ sub: 'bench-b6', role: 'customer', customerId });
    const products = await addProducts(ctx);
    const blank = await buildOrderForm(products, 'ООО «Бенчмарк»', moscowToday(Date.now()));
    const pid = ctx.system.apis[0]?.pid();
    if (pid === undefined) throw new Error('no API process');
    const rssBefore = peakRssMb(pid);

    const results: ScenarioResult[] = [];
    for (const filling of FILLINGS) {
      const file = await fill(blank, filling.filled);
      const answers = new Set<string>();
      let cartAfter = 0;
      const figures = await overRounds(ctx.rounds, async () => {
        // Each round starts from an empty cart, so the upload writes every line again.
        await ctx.db.deleteFrom('cart_items').where('customer_id', '=', customerId).execute();
        const started = performance.now();
        const res = await fetch(new URL('/v1/cart/upload', ctx.api), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form(file) });
        const body = (await res.json()) as { added?: number; code?: string };
        const api = performance.now() - started;
        if (!filling.expected(res.status, body)) throw new Error(`upload: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
        answers.add(`${res.status} ${body.code ?? `added ${body.added}`}`);
        cartAfter = await cartLines(ctx, customerId);
        return { api: ROWS / (api / 1000), floor: ROWS / ((await readAlone(file)) / 1000) };
      });
      // VmHWM only grows: the peak after this filling's rounds covers them and all before.
      const rssAfter = peakRssMb(pid);
      const ratio = figures.api.median / figures.floor.median;
      results.push({
        id: 'B6',
        scenario: filling.scenario,
        unit: 'rows/s',
        figure: figures.api,
        floor: figures.floor,
        ratio,
        ratioMeaning: '× floor',
        goal: filling.goal,
        met: ratio >= 0.5 && rssAfter <= MAX_API_RSS_MB,
        counts: {
          answer: [...answers].join(' / '),
          'cart lines after': cartAfter,
          'file (KB)': Math.round(file.length / 1024),
          'API peak RSS before B6 (MB)': rssBefore,
          'API peak RSS after (MB)': rssAfter,
        },
      });
    }
    return results;
  },
};

/** 10,000 products with stock, straight into the catalog tables; returned as the form lists them. */
async function addProducts(ctx: BenchContext): Promise<OrderFormProduct[]> {
  const products = Array.from({ length: ROWS }, (_, i) => ({
    sku: `B6-${String(i).padStart(5, '0')}`,
    article: `B6-${i}`,
    name: `Колготки женские модель ${i}`,
    characteristic: 'размер 3, чёрный',
    unit: 'шт',
    priceKopecks: 14990 + i,
    piecesPerBox: 10,
    available: 1000,
  }));
  // A thousand rows per statement keeps each under PostgreSQL's 65,535 parameters.
  for (let i = 0; i < ROWS; i += 1000) {
    const chunk = products.slice(i, i + 1000);
    await ctx.db
      .insertInto('products')
      .values(
        chunk.map((p) => ({
          sku: p.sku,
          article: p.article,
          name: p.name,
          characteristic: p.characteristic,
          price_kopecks: p.priceKopecks,
          pieces_per_box: p.piecesPerBox,
        })),
      )
      .execute();
    await ctx.db
      .insertInto('stock')
      .values(chunk.map((p) => ({ sku: p.sku, on_hand: p.available })))
      .execute();
  }
  return products;
}

/** The blank form with a quantity typed into the chosen rows, saved as Excel would. */
async function fill(blank: Buffer, filled: (row: number) => boolean): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(blank as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  let header = 0;
  let qtyCol = 0;
  ws.eachRow((row, r) => {
    row.eachCell((cell, col) => {
      if (!header && cell.value === QTY_HEADER) [header, qtyCol] = [r, col];
    });
  });
  for (let i = 0; i < ROWS; i++) if (filled(i)) ws.getRow(header + 1 + i).getCell(qtyCol).value = 1 + (i % 5);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function form(file: Buffer): FormData {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(file)]), 'Бланк заказа.xlsx');
  return body;
}

/** exceljs reading the file and walking its rows (the floor the issue names; the API has its own lighter reader): ms. */
async function readAlone(file: Buffer): Promise<number> {
  const started = performance.now();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  let rows = 0;
  wb.worksheets[0]?.eachRow(() => rows++);
  if (rows <= ROWS) throw new Error(`the form read back has ${rows} rows`);
  return performance.now() - started;
}

async function cartLines(ctx: BenchContext, customerId: string): Promise<number> {
  const rows = await ctx.db.selectFrom('cart_items').select('sku').where('customer_id', '=', customerId).execute();
  return rows.length;
}

/** The process's peak resident memory so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmHWM for pid ${pid}`);
  return Math.round(Number(kb) / 1024);
}
