// F14: the outbox across a worker crash. A change commits (its event with it); the worker process's
// dispatcher sends it to the ERP's endpoint, which does not answer; the worker is SIGKILLed
// mid-request, and more changes commit while no worker runs. Once a worker is back, every event
// arrives, signed; a repeat carries the same event id and body, so the receiver can drop it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addCustomer } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { caller, tokenFor } from './support/http.js';
import { startSystem, type FaultSystem } from './support/system.js';

let system: FaultSystem;
let receiver: Receiver;
let customerId = '';

beforeAll(async () => {
  receiver = await startReceiver();
  system = await startSystem({
    name: 'f14',
    env: {
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: 'webhook-test-secret-0123456789',
      // The lease is twice the timeout: a dead worker's attempt is retried about 6 s later.
      WEBHOOK_TIMEOUT: '3s',
      WEBHOOK_BACKOFF_BASE: '200ms',
      WEBHOOK_POLL_INTERVAL: '200ms',
    },
    fixtures: async (db) => void (customerId = await addCustomer(db)),
  });
});

afterAll(async () => {
  await system?.stop();
  await receiver?.close();
});

it('F14: a worker killed between the commit and the delivery loses no event', async () => {
  const api = system.apiUrls[0] ?? '';
  const manager = caller(api, await tokenFor({ sub: 'mgr-f14', role: 'manager', email: 'manager@supplier.example' }));
  const admin = caller(api, await tokenFor({ sub: 'admin-f14', role: 'admin' }));
  const pay = async (reference: string) => {
    const reply = await manager('POST', '/v1/manager/payments', { body: { customerId, amount: '10.00', paidAt: '2026-11-25', reference } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  };
  const feedIds = async () => ((await admin('GET', '/v1/events?limit=500')).body.items as { id: string }[]).map((e) => e.id);

  receiver.setHold(true);
  await pay('f14-1');
  await expect.poll(() => receiver.held.length, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
  const inFlight = receiver.held.map((h) => h.event.id);
  const worker = system.workers[0]!;
  await worker.kill();
  await pay('f14-2');
  await pay('f14-3');
  receiver.setHold(false);
  await worker.start();

  const expected = await feedIds();
  expect(expected.length).toBe(3);
  await expect.poll(() => expected.filter((id) => !receiver.ids().has(id)), { timeout: 120_000, interval: 200 }).toEqual([]);
  expect(receiver.badSignatures).toBe(0);
  for (const id of inFlight) expect(expected).toContain(id);
  // One customer: its events arrive in feed order; a repeat repeats the same body.
  const firsts: string[] = [];
  const bodies = new Map<string, string>();
  for (const e of receiver.accepted) {
    if (bodies.has(e.id)) {
      expect(e.body).toBe(bodies.get(e.id));
      continue;
    }
    bodies.set(e.id, e.body);
    firsts.push(e.id);
  }
  expect(firsts).toEqual(expected);
  expect(system.crashes(), 'no process died by itself').toEqual([]);
});
