// F3: the Temporal server stops mid-run and comes back on its persisted state. Acknowledged
// orders must still become invoices, invoice deadlines that passed while it was down must fire
// after it returns, and writes while it is down must be refused quickly (503 + Retry-After), never
// acknowledged and never left hanging. Then the same for `npm start`, which must restart a local
// dev server or PostgreSQL of its own that dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS } from '../../db/seed.js';
import { freePort } from '../../runtime/dev-stack.js';
import { startFakeResend, type FakeResend } from '../support/fake-resend.js';
import { invariantViolations } from './support/checks.js';
import { caller, describe as describeReply, pollUntil, settle, tokenFor, type Call, type Reply } from './support/http.js';
import { repoRoot } from './support/processes.js';
import { addCompanies, customerCall, enc, type Company } from './support/scenario.js';
import { FAULT_SECRET, startSystem, type FaultSystem } from './support/system.js';

/** What "within a second or two" means for a refusal while a dependency is down. */
const REFUSE_WITHIN_MS = 2_500;

describe('F3: the Temporal server stopped and restarted mid-run', () => {
  let system: FaultSystem;
  let companies: Company[] = [];
  const orderIds: string[] = [];

  beforeAll(async () => {
    system = await startSystem({
      name: 'f3',
      // Deadlines short enough to pass while the server is down.
      env: { INVOICE_TTL: '6s', INVOICE_REMINDER_BEFORE: '2s', MERGE_CLEANUP_DELAY: '1h' },
      fixtures: async (db) => void (companies = await addCompanies(db, 'Т', 4)),
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const order = async (call: Call, company: Company, quantity: number): Promise<string> => {
    expect((await settle(call, 'PUT', `/v1/cart/items/${enc(company.sku.B)}`, { quantity })).reply.status).toBe(200);
    const checkout = await settle(call, 'POST', '/v1/cart/checkout', { target: 'new' });
    expect(checkout.reply.status, describeReply(checkout.reply)).toBe(202);
    const orderId = (checkout.reply.body as { orderId: string }).orderId;
    orderIds.push(orderId);
    return orderId;
  };
  const invoiceOf = async (call: Call, orderId: string, withinMs = 60_000): Promise<string> =>
    ((await pollUntil(call, `/v1/orders/${orderId}`, (b: { status?: string }) => b.status === 'invoiced', withinMs)) as { invoiceId: string }).invoiceId;

  it('continues acknowledged work, fires the deadlines that passed, and refuses writes quickly while down', async () => {
    const [a, b, c, d] = companies as [Company, Company, Company, Company];
    const callA = await customerCall(a, system.apiUrls);
    const callB = await customerCall(b, system.apiUrls);
    const callC = await customerCall(c, system.apiUrls);
    const callD = await customerCall(d, system.apiUrls);

    // Invoices confirmed just before the stop: their 6 s deadline passes while the server is down.
    const invoiceA = await invoiceOf(callA, await order(callA, a, 10));
    const invoiceB = await invoiceOf(callB, await order(callB, b, 20));
    // Acknowledged, then the server goes at once: the order must still become an invoice.
    const pendingC = await order(callC, c, 30);
    // D's cart is ready for a checkout while the server is down.
    expect((await settle(callD, 'PUT', `/v1/cart/items/${enc(d.sku.C)}`, { quantity: 5 })).reply.status).toBe(200);

    await system.temporal.stop();
    const downAt = Date.now();

    const writes: Promise<Reply>[] = [
      callD('POST', '/v1/cart/checkout', { body: { target: 'new' }, idempotencyKey: 'f3-down-checkout', timeoutMs: 30_000 }),
      callA('PATCH', `/v1/invoices/${invoiceA}`, { body: { lines: [{ sku: a.sku.B, quantity: 5 }] }, idempotencyKey: 'f3-down-patch', timeoutMs: 30_000 }),
      callB('POST', `/v1/invoices/${invoiceB}/ship`, { idempotencyKey: 'f3-down-ship', timeoutMs: 30_000 }),
      callA('POST', `/v1/invoices/${invoiceA}/cancel`, { idempotencyKey: 'f3-down-cancel', timeoutMs: 30_000 }),
    ];
    const health = caller(system.apiUrls[0]!, '');
    const ready = await health('GET', '/readyz', { timeoutMs: 30_000 });
    const refused = await Promise.all(writes);
    // Keep it down past the invoices' deadlines.
    await sleep(Math.max(0, 8_000 - (Date.now() - downAt)));
    await system.temporal.start();
    const downFor = Date.now() - downAt;

    for (const reply of refused) {
      expect.soft(reply.status, `while Temporal is down: ${describeReply(reply)} after ${reply.ms} ms`).toBe(503);
      expect.soft(reply.headers.get('retry-after'), `Retry-After on ${reply.method} ${reply.path}`).toBeTruthy();
      expect.soft(reply.ms, `${reply.method} ${reply.path} answered after ${reply.ms} ms`).toBeLessThan(REFUSE_WITHIN_MS);
    }
    expect.soft(ready.status, `/readyz while Temporal is down: ${describeReply(ready)} after ${ready.ms} ms`).toBe(503);
    expect.soft(ready.ms, `/readyz answered after ${ready.ms} ms`).toBeLessThan(REFUSE_WITHIN_MS);

    // Acknowledged work carries on once the server is back.
    const invoiceC = await invoiceOf(callC, pendingC, 120_000);
    // Deadlines that passed while it was down fire now: both invoices expire, releasing stock...
    for (const [call, id] of [
      [callA, invoiceA],
      [callB, invoiceB],
    ] as const) {
      // ...unless a write that was answered 2xx while down changed it (that would be its own failure above).
      await pollUntil(call, `/v1/invoices/${id}`, (body: { status?: string }) => ['deleted', 'shipment_confirmed'].includes(body.status ?? ''), 120_000);
    }
    const expiredA = await callA('GET', `/v1/invoices/${invoiceA}`);
    expect(expiredA.body.status, 'invoice A expired after the restart').toBe('deleted');
    // ...and C's invoice, confirmed after the restart, expires on its own deadline too.
    await pollUntil(callC, `/v1/invoices/${invoiceC}`, (body: { status?: string }) => body.status === 'deleted', 60_000);

    // Work refused while down was not done behind the customer's back.
    const checkoutDown = refused[0]!;
    if (checkoutDown.status >= 200 && checkoutDown.status < 300) {
      const orderId = (checkoutDown.body as { orderId: string }).orderId;
      orderIds.push(orderId);
      await invoiceOf(callD, orderId, 60_000);
    } else {
      const cart = await callD('GET', '/v1/cart');
      expect(cart.status).toBe(200);
      expect((cart.body as { lines: unknown[] }).lines, 'a refused checkout keeps the cart').toHaveLength(1);
    }

    // The system takes new work again.
    const fresh = await invoiceOf(callD, await order(callD, d, 3), 60_000);
    expect(fresh).toBeTruthy();

    expect(system.crashes(), 'no process died by itself').toEqual([]);
    const expiredEmails = await system.db.selectFrom('email_log').select('key').where('kind', '=', 'invoice_expired').execute();
    for (const id of [invoiceA, invoiceC])
      expect(
        expiredEmails.map((e) => e.key),
        `expiry email of ${id}`,
      ).toContain(`invoice/${id}/expired`);
    expect(await invariantViolations(system.db, system.resend, orderIds), `down for ${downFor} ms\n${system.diagnostics()}`).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// `npm start` supervises the servers it started itself.

interface StartProcess {
  child: ChildProcess;
  output: () => string;
  exit: Promise<unknown>;
}

/** Pids of processes whose command line contains every one of `parts` (read from /proc). */
function pidsMatching(parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((p) => cmd.includes(p))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

describe('F3: npm start restarts a local server of its own that dies', () => {
  let dataDir: string;
  let resend: FakeResend;
  let start: StartProcess | undefined;
  let base: string;
  let temporalPort: number;

  beforeAll(async () => {
    dataDir = join(repoRoot, '.test-data', `faults-f3-start-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    resend = await startFakeResend();
    const port = await freePort();
    temporalPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(await freePort()),
      AUTH_JWT_SECRET: FAULT_SECRET,
      RESEND_API_KEY: 're_fault_suite',
      RESEND_BASE_URL: resend.url,
    };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    delete env.PUBLIC_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/start.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    start = { child, output: () => output, exit: new Promise((resolve) => child.once('exit', resolve)) };
    await waitReady(120_000);
  });

  afterAll(async () => {
    if (start && start.child.exitCode === null) {
      start.child.kill('SIGINT');
      await Promise.race([start.exit, sleep(30_000)]);
      if (start.child.exitCode === null) start.child.kill('SIGKILL');
    }
    await resend?.close();
    if (!process.env.FAULTS_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  });

  async function waitReady(withinMs: number): Promise<number> {
    const started = Date.now();
    let last = '';
    for (const deadline = started + withinMs; Date.now() < deadline;) {
      if (start?.child.exitCode !== null) throw new Error(`npm start exited:\n${start?.output()}`);
      const reply = await caller(base, '')('GET', '/readyz', { timeoutMs: 5_000 });
      last = describeReply(reply);
      if (reply.status === 200 && start.output().includes('Ctrl-C stops everything.')) return Date.now() - started;
      await sleep(500);
    }
    throw new Error(`/readyz not 200 within ${withinMs / 1000} s (last: ${last})\n${start?.output()}`);
  }

  /** Polls until `read` gives a value other than `old` (a restarted server's new pid). */
  async function replaced<T>(what: string, old: T, read: () => T, withinMs = 90_000): Promise<{ value: T; ms: number }> {
    const started = Date.now();
    for (const deadline = started + withinMs; Date.now() < deadline;) {
      const value = read();
      if (value !== undefined && value !== old) return { value, ms: Date.now() - started };
      await sleep(250);
    }
    throw new Error(`${what} was not restarted within ${withinMs / 1000} s\n${start?.output()}`);
  }

  async function orderWorks(): Promise<string> {
    const customer = caller(base, await tokenFor({ sub: 'demo-customer', role: 'customer', customerId: DEMO_CUSTOMERS[0].id }));
    expect((await settle(customer, 'PUT', `/v1/cart/items/${enc('КЛ-20-3-NUD')}`, { quantity: 2 })).reply.status).toBe(200);
    const checkout = await settle(customer, 'POST', '/v1/cart/checkout', { target: 'new' }, 90_000);
    expect(checkout.reply.status, describeReply(checkout.reply)).toBe(202);
    const orderId = (checkout.reply.body as { orderId: string }).orderId;
    return ((await pollUntil(customer, `/v1/orders/${orderId}`, (b: { status?: string }) => b.status === 'invoiced', 90_000)) as { invoiceId: string })
      .invoiceId;
  }

  it('a Temporal dev server killed with SIGKILL comes back on its port with its workflows', async () => {
    const invoiceId = await orderWorks();
    const before = pidsMatching(['start-dev', '--port', String(temporalPort)]);
    expect(before, 'the dev server npm start runs').toHaveLength(1);
    process.kill(before[0]!, 'SIGKILL');

    const restarted = await replaced('the Temporal dev server', before[0], () => pidsMatching(['start-dev', '--port', String(temporalPort)])[0]);
    const readyIn = await waitReady(90_000);
    console.info(`F3 npm start: dev server back after ${restarted.ms} ms, /readyz 200 ${readyIn} ms later`);
    // The invoice's workflow survived (persisted state): it takes a command.
    const customer = caller(base, await tokenFor({ sub: 'demo-customer', role: 'customer', customerId: DEMO_CUSTOMERS[0].id }));
    const ship = await settle(customer, 'POST', `/v1/invoices/${invoiceId}/ship`, undefined, 90_000);
    expect(ship.reply.status, describeReply(ship.reply)).toBe(200);
    expect(await orderWorks()).toBeTruthy();
  });

  it('an embedded PostgreSQL killed with SIGKILL comes back on its port and data', async () => {
    const before = postmasterPid(dataDir);
    expect(before, 'the embedded PostgreSQL npm start runs').toBeDefined();
    process.kill(before!, 'SIGKILL');

    const restarted = await replaced('the embedded PostgreSQL', before, () => {
      const pid = postmasterPid(dataDir);
      return pid !== undefined && existsSync(`/proc/${pid}`) ? pid : undefined;
    });
    const readyIn = await waitReady(90_000);
    console.info(`F3 npm start: PostgreSQL back after ${restarted.ms} ms, /readyz 200 ${readyIn} ms later`);
    expect(await orderWorks()).toBeTruthy();
  });

  it('Ctrl-C still stops everything it started', async () => {
    start!.child.kill('SIGINT');
    await Promise.race([start!.exit, sleep(30_000)]);
    expect(start!.child.exitCode, start!.output()).toBe(0);
    expect(pidsMatching(['start-dev', '--port', String(temporalPort)])).toEqual([]);
    const pid = postmasterPid(dataDir);
    const alive = pid !== undefined && existsSync(`/proc/${pid}`);
    expect(alive, 'PostgreSQL stopped').toBe(false);
  });
});
