// `npm run bench`: starts the system on embedded defaults, runs every scenario for several rounds
// with its floor measured beside it in the same run, prints one table and writes it as JSON.
// Ratios are the result; absolute times are context. Exits non-zero when a goal is missed, or
// with `--report-only` never (for a look without a verdict). `--only B1,B3` runs a subset;
// `--rounds N` (default 3) sets the rounds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBench, type Scenario, type ScenarioResult } from './lib/context.js';
import { perRequest, statementTotals } from './lib/round-trips.js';
import { fmt, spread } from './lib/stats.js';
import { SCENARIOS } from './scenarios/index.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(option('--rounds') ?? 3);
const only = option('--only')
  ?.split(',')
  .map((s) => s.trim().toUpperCase());
const reportOnly = args.includes('--report-only');
const chosen: Scenario[] = SCENARIOS.filter((s) => !only || only.includes(s.id));
const log = (m: string) => console.log(`bench: ${m}`);

const results: ScenarioResult[] = [];
const { ctx, stop } = await startBench(rounds, log);
try {
  for (const scenario of chosen) {
    log(`${scenario.id}…`);
    const started = Date.now();
    const before = await statementTotals(ctx.api);
    const produced = await scenario.run(ctx);
    // The scenario's requests and the database round trips each of them took, on its last row.
    const last = produced.at(-1);
    if (last) last.counts = { ...last.counts, ...perRequest(before, await statementTotals(ctx.api)) };
    results.push(...produced);
    log(`${scenario.id} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
} finally {
  await stop();
}

const rows = results.map((r) => ({
  id: r.id,
  scenario: r.scenario,
  figure: `${fmt(r.figure.median)} ${r.unit} (${spread(r.figure)})`,
  floor: `${fmt(r.floor.median)} ${r.unit} (${spread(r.floor)})`,
  ratio: `${fmt(r.ratio, 2)} ${r.ratioMeaning}`,
  goal: r.goal,
  met: r.met ? 'yes' : 'NO',
}));
console.table(rows);
for (const r of results)
  if (r.counts)
    console.log(
      `${r.id} counts: ${Object.entries(r.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );

const outDir = join(fileURLToPath(new URL('..', import.meta.url)), '.data', 'bench');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, 'results.json');
writeFileSync(outFile, JSON.stringify({ at: new Date().toISOString(), rounds, results }, null, 2));
log(`table written to ${outFile}`);

const missed = results.filter((r) => !r.met);
console.log(`bench: ${results.length - missed.length} passed, ${missed.length} failed`);
if (missed.length && !reportOnly) process.exitCode = 1;
