// F4: PostgreSQL goes away under load, once crashing (SIGKILL to the postmaster) and once in a
// fast shutdown, and comes back on the same data. Activities must retry until it is back; no
// reservation, number or realization may be made twice; and a write answered 2xx while it was
// going down must really have been done.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invariantViolations, seededRandom, suiteSeed } from './support/checks.js';
import { describe as describeReply, pollUntil, type Reply } from './support/http.js';
import { addCompanies, customerCall, enc, EXPECTED_OUTCOME, liveView, newRunLog, outcomeOf, runCompanies, type Company } from './support/scenario.js';
import { startSystem, type FaultSystem } from './support/system.js';

let system: FaultSystem;
let companies: Company[] = [];
let probes: Company[] = [];

beforeAll(async () => {
  system = await startSystem({
    name: 'f4',
    env: { INVOICE_TTL: '1h', MERGE_CLEANUP_DELAY: '1h' },
    fixtures: async (db) => {
      companies = await addCompanies(db, 'Б', 8);
      probes = await addCompanies(db, 'З', 2);
    },
  });
});

afterAll(async () => {
  await system?.stop();
});

it('F4: PostgreSQL crashed and restarted under load: every acknowledged write done once', async () => {
  const seed = suiteSeed();
  const random = seededRandom(seed);
  const log = newRunLog();
  const outages: string[] = [];
  const during: { reply: Reply; company: Company; kind: 'cart' | 'checkout' }[] = [];
  const started = Date.now();

  /** Unretried writes sent while the database is down: each answer is checked afterwards. */
  const probeWhileDown = async () => {
    await Promise.all(
      probes.map(async (company, i) => {
        const call = await customerCall(company, system.apiUrls);
        const cart = await call('PUT', `/v1/cart/items/${enc(company.sku.C)}`, {
          body: { quantity: 7 + i },
          idempotencyKey: `f4-cart-${i}-${outages.length}`,
          timeoutMs: 30_000,
        });
        during.push({ reply: cart, company, kind: 'cart' });
        const checkout = await call('POST', '/v1/cart/checkout', {
          body: { target: 'new' },
          idempotencyKey: `f4-checkout-${i}-${outages.length}`,
          timeoutMs: 30_000,
        });
        during.push({ reply: checkout, company, kind: 'checkout' });
      }),
    );
  };

  let finished = false;
  const faults = (async () => {
    for (const mode of ['kill', 'stop'] as const) {
      await sleep(2_000 + random() * 4_000);
      if (finished) break;
      if (mode === 'kill') await system.postgres.kill();
      else await system.postgres.stop();
      outages.push(`${mode} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await Promise.all([probeWhileDown(), sleep(4_000)]);
      await system.postgres.start();
    }
  })();
  try {
    await runCompanies(companies, system.apiUrls, log, () => `FAULTS_SEED=${seed}; ${outages.join(', ')}\n${system.diagnostics()}`);
  } finally {
    finished = true;
    await faults;
  }
  console.info(`F4 (FAULTS_SEED=${seed}): ${outages.join(', ')}; ${log.retried.length} requests needed a retry`);
  expect(outages.length, 'PostgreSQL went away twice while the scenarios ran').toBe(2);

  expect(system.crashes(), 'no process died by itself').toEqual([]);
  // A 2xx while the database was down must be a write that happened.
  for (const { reply, company, kind } of during) {
    if (reply.status < 200 || reply.status >= 300) {
      expect.soft(reply.status, `no answer is a hang: ${describeReply(reply)}`).not.toBe(0);
      expect.soft(reply.status, `a refusal says "come back later": ${describeReply(reply)}`).toBe(503);
      continue;
    }
    const call = await customerCall(company, system.apiUrls);
    if (kind === 'checkout') {
      const orderId = (reply.body as { orderId: string }).orderId;
      log.orderIds.push(orderId);
      await pollUntil(call, `/v1/orders/${orderId}`, (b: { status?: string }) => b.status === 'invoiced', 120_000);
    } else {
      const checkedOut = during.some((d) => d.company === company && d.kind === 'checkout' && d.reply.status === 202);
      if (!checkedOut) {
        const cart = await call('GET', '/v1/cart');
        expect(JSON.stringify(cart.body), `cart acknowledged with ${reply.status} while PostgreSQL was down`).toContain(company.sku.C);
      }
    }
  }

  expect(await invariantViolations(system.db, system.resend, log.orderIds), `${outages.join(', ')} (FAULTS_SEED=${seed})\n${system.diagnostics()}`).toEqual([]);
  for (const company of companies) expect(liveView(await outcomeOf(system.db, company)), company.email).toEqual(EXPECTED_OUTCOME);
});
