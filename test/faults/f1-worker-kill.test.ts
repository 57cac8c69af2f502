// F1: the worker process is SIGKILLed at random points while 50 orders, their edits, merges,
// shipments and cancellations run, and restarted each time. Every company must end exactly as the
// same scenario ended in a fault-free control run on the same system, and the books must balance.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invariantViolations, seededRandom, suiteSeed } from './support/checks.js';
import { addCompanies, EXPECTED_OUTCOME, liveView, newRunLog, outcomeOf, outcomesSettled, runCompanies, type Company } from './support/scenario.js';
import { startSystem, type FaultSystem } from './support/system.js';

const COMPANIES = 10; // × 5 orders each = 50 orders
const MAX_KILLS = 5;

let system: FaultSystem;
let control: Company[] = [];
let faulty: Company[] = [];

beforeAll(async () => {
  system = await startSystem({
    name: 'f1',
    // Nothing may expire or be cleaned up between the control run and the faulty one.
    env: { INVOICE_TTL: '1h', MERGE_CLEANUP_DELAY: '1h' },
    fixtures: async (db) => {
      control = await addCompanies(db, 'К', COMPANIES);
      faulty = await addCompanies(db, 'Ф', COMPANIES);
    },
  });
});

afterAll(async () => {
  await system?.stop();
});

it('F1: a worker SIGKILLed at random points changes no outcome', async () => {
  const seed = suiteSeed();
  const context = (what: string) => `${what} (FAULTS_SEED=${seed})\n${system.diagnostics()}`;

  const controlLog = newRunLog();
  await runCompanies(control, system.apiUrls, controlLog, () => context('control run'));
  expect(await invariantViolations(system.db, system.resend, controlLog.orderIds), context('control run invariants')).toEqual([]);

  const random = seededRandom(seed);
  const worker = system.workers[0]!;
  const kills: string[] = [];
  const faultyLog = newRunLog();
  const started = Date.now();
  let finished = false;
  const killer = (async () => {
    while (!finished && kills.length < MAX_KILLS) {
      await sleep(1_000 + random() * 4_000);
      if (finished) break;
      await worker.kill();
      kills.push(`${((Date.now() - started) / 1000).toFixed(1)} s`);
      await sleep(random() * 1_500);
      await worker.start();
    }
  })();
  try {
    await runCompanies(faulty, system.apiUrls, faultyLog, () => context(`kills at ${kills.join(', ')}`));
  } finally {
    finished = true;
    await killer;
  }
  expect(kills.length, 'the worker was killed at least twice while the scenarios ran').toBeGreaterThanOrEqual(2);
  console.info(`F1 (FAULTS_SEED=${seed}): worker killed at ${kills.join(', ')}; ${faultyLog.retried.length} requests needed a retry`);

  expect(system.crashes(), 'no process died by itself').toEqual([]);
  expect(await invariantViolations(system.db, system.resend, faultyLog.orderIds), context(`invariants after kills at ${kills.join(', ')}`)).toEqual([]);
  const controlOutcomes = await Promise.all(control.map((c) => outcomeOf(system.db, c)));
  const faultyOutcomes = await outcomesSettled(system.db, faulty, controlOutcomes);
  for (const outcome of controlOutcomes) expect(liveView(outcome), 'control run against the rules').toEqual(EXPECTED_OUTCOME);
  expect(faultyOutcomes, context(`outcomes after kills at ${kills.join(', ')}`)).toEqual(controlOutcomes);
});
