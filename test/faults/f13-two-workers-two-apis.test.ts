// F13: the topology users grow into: two worker processes and two API processes on one Temporal
// server and one PostgreSQL, requests spread over both APIs. One worker is SIGKILLed mid-run and
// stays dead; the other must finish every scenario with no effect doubled.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invariantViolations, seededRandom, suiteSeed } from './support/checks.js';
import { addCompanies, EXPECTED_OUTCOME, liveView, newRunLog, outcomeOf, runCompanies, type Company } from './support/scenario.js';
import { startSystem, type FaultSystem } from './support/system.js';

let system: FaultSystem;
let companies: Company[] = [];

beforeAll(async () => {
  system = await startSystem({
    name: 'f13',
    workers: 2,
    apis: 2,
    env: { INVOICE_TTL: '1h', MERGE_CLEANUP_DELAY: '1h' },
    fixtures: async (db) => void (companies = await addCompanies(db, 'Д', 8)),
  });
});

afterAll(async () => {
  await system?.stop();
});

it('F13: two workers and two APIs; one worker killed mid-run; every scenario completes once', async () => {
  const seed = suiteSeed();
  const random = seededRandom(seed);
  const log = newRunLog();
  const [victim, survivor] = system.workers as [(typeof system.workers)[0], (typeof system.workers)[0]];
  let killedAt = '';
  let finished = false;
  let killedMidRun = false;
  const started = Date.now();
  const killer = (async () => {
    await sleep(3_000 + random() * 5_000);
    killedMidRun = !finished;
    await victim.kill();
    killedAt = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  })();
  try {
    await runCompanies(companies, system.apiUrls, log, () => `FAULTS_SEED=${seed}; worker-1 killed at ${killedAt}\n${system.diagnostics()}`);
  } finally {
    finished = true;
    await killer;
  }
  expect(killedMidRun, 'the worker was killed while the scenarios ran').toBe(true);
  console.info(`F13 (FAULTS_SEED=${seed}): worker-1 killed at ${killedAt}; ${log.retried.length} requests needed a retry`);
  expect(victim.running(), 'the killed worker stayed dead').toBe(false);
  expect(survivor.running(), 'the other worker is still running').toBe(true);

  expect(system.crashes(), 'no process died by itself').toEqual([]);
  expect(await invariantViolations(system.db, system.resend, log.orderIds), `FAULTS_SEED=${seed}\n${system.diagnostics()}`).toEqual([]);
  for (const company of companies) expect(liveView(await outcomeOf(system.db, company)), company.email).toEqual(EXPECTED_OUTCOME);
  // Requests went to both API processes in turn; both are still up.
  for (const api of system.apis) expect(api.running(), api.name).toBe(true);
});
