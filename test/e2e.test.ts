// End to end: the system exactly as `npm start` runs it (`tsx runtime/start.ts` as a child process,
// with its own embedded PostgreSQL and its own Temporal dev server in a fresh DATA_DIR), driven over
// real HTTP through the typed client (`wholesale-orders/client`), as the portal calls it. Only Resend
// is faked. The vitest global setup's servers are not used here.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Api, type ResponseData } from 'wholesale-orders/client';
import { signToken } from '../api/auth.js';
import { DEMO_CUSTOMERS } from '../db/seed.js';
import { formatRoubles, VAT_RATE_PERCENT, vatIncluded } from '../core/domain/money.js';
import { freePort } from '../runtime/dev-stack.js';
import { startFakeResend, type FakeResend, type FakeResendRequest } from './support/fake-resend.js';
import { TEST_SECRET } from './support/fixtures.js';
import { staff } from './support/scenario.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const CUSTOMER = DEMO_CUSTOMERS[0];

// Demo SKUs (db/seed.ts): plenty in stock, except КЛ-20-2-BLK (12 pieces).
const SHIP = { 'КЛ-20-3-NUD': 30, 'КЛ-40-3-BLK': 10, 'КЛ-20-2-BLK': 20 } as const;
const SCARCE = 'КЛ-20-2-BLK';
const MERGE_A = 'НС-М01-25-GRY';
const MERGE_B = 'ЧЛ-15-3-4-WHT';

interface Child {
  process: ChildProcess;
  stdout: string;
  tail: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dataDir: string;
let resend: FakeResend;
let child: Child | undefined;
let ports: { api: number; temporal: number; ui: number; postgres?: number };
let base: string;
let tokens: Map<string, string>;
type Client = ReturnType<typeof createClient>;
type Invoice = ResponseData<Api['v1']['invoices'][':id']['$get']>;
let customer: Client;
let warehouse: Client;

const running = () => child !== undefined && child.process.exitCode === null && child.process.signalCode === null;
const output = () => (child ? `--- child output (tail) ---\n${child.tail}` : '(no child)');

function spawnStart(env: Record<string, string>): Child {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  delete childEnv.TEMPORAL_ADDRESS;
  delete childEnv.PUBLIC_URL;
  const proc = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['runtime/start.ts'], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the last-resort cleanup can then reach tsx's own node child too.
    detached: true,
  });
  const c: Child = {
    process: proc,
    stdout: '',
    tail: '',
    exit: new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  const keep = (chunk: Buffer) => {
    c.tail = (c.tail + chunk.toString()).slice(-6000);
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    c.stdout += chunk.toString();
    keep(chunk);
  });
  proc.stderr?.on('data', keep);
  return c;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true); // not refused
    });
    socket.once('error', () => resolve(false));
  });
}

/** The demo tokens `runtime/start.ts` prints: `  <label padded to 28> <jwt>` under "Demo tokens". */
function parseTokens(stdout: string): Map<string, string> {
  const found = new Map<string, string>();
  const section = stdout.slice(stdout.indexOf('Demo tokens'));
  for (const line of section.split('\n').slice(1)) {
    const m = /^ {2}(\S.*?)\s+(eyJ[\w-]+\.[\w-]+\.[\w-]+)\s*$/.exec(line);
    if (!m) break;
    found.set(m[1]!, m[2]!);
  }
  return found;
}

async function waitReady(): Promise<void> {
  let last = 'no answer yet';
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500).then(() => true)) {
    if (!running()) throw new Error(`npm start exited (${child?.process.exitCode ?? child?.process.signalCode}) before it was ready\n${output()}`);
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3_000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200 && child?.stdout.includes('Ctrl-C stops everything.')) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
  }
  throw new Error(`GET /readyz did not answer 200 within 120 s (last: ${last})\n${output()}`);
}

/** Calls as the holder of a raw bearer token (the ones `npm start` printed). */
const withToken = (token: string): Client => createClient({ baseUrl: base, token });

async function poll<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  let value = await read();
  for (const deadline = Date.now() + timeoutMs; !done(value); value = await read()) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs / 1000} s\n${output()}`);
    await sleep(200);
  }
  return value;
}

async function available(sku: string): Promise<number> {
  const { api, unwrap } = customer;
  const product = (await unwrap(api.v1.catalog.products.$get({ query: { q: sku } }))).items.find((p) => p.sku === sku);
  expect(product, sku).toBeDefined();
  return product!.available;
}

/** Cart → checkout → the invoice the order became. */
async function orderInvoice(lines: Record<string, number>): Promise<{ orderId: string; invoice: Invoice }> {
  const { api, call, unwrap } = customer;
  for (const [sku, quantity] of Object.entries(lines)) {
    const put = await call(api.v1.cart.items[':sku'].$put({ param: { sku }, json: { quantity } }));
    expect(put.status, `cart ${sku}`).toBe(200);
  }
  const checkout = await call(api.v1.cart.checkout.$post({ json: { target: 'new' } }));
  assert(checkout.ok, `checkout: ${JSON.stringify(checkout)}`);
  expect(checkout.status).toBe(202);
  const orderId = checkout.data.orderId;
  assert(orderId, 'a new order');
  const order = await poll(
    `order ${orderId}`,
    () => unwrap(api.v1.orders[':id'].$get({ param: { id: orderId } })),
    (o) => o.status === 'invoiced',
  );
  expect(order.invoiceId).toBeDefined();
  return { orderId, invoice: await unwrap(api.v1.invoices[':id'].$get({ param: { id: order.invoiceId! } })) };
}

const recipients = (body: { to?: string | string[] }) => [body.to ?? []].flat();
const sentOk = (key: string) => resend.emails.find((e) => e.key === key && e.status === 200);
async function waitEmail(key: string): Promise<FakeResendRequest> {
  const email = await poll(
    `email ${key}`,
    () => Promise.resolve(sentOk(key)),
    (e) => e !== undefined,
    30_000,
  );
  if (!email) throw new Error(`no email ${key}`);
  return email;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wholesale-e2e-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach $DATA_DIR/postgres.
  chmodSync(dataDir, 0o755);
  resend = await startFakeResend();
  ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
  base = `http://127.0.0.1:${ports.api}`;
  child = spawnStart({
    DATA_DIR: dataDir,
    PORT: String(ports.api),
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    RESEND_API_KEY: 're_e2e',
    RESEND_BASE_URL: resend.url,
    AUTH_JWT_SECRET: TEST_SECRET,
    MERGE_CLEANUP_DELAY: '3s',
    LOG_LEVEL: 'warn',
  });
  await waitReady();
  tokens = parseTokens(child.stdout);
  customer = withToken(tokens.get('customer (ООО «Ромашка»)') ?? 'missing');
  warehouse = createClient({ baseUrl: base, token: () => signToken(TEST_SECRET, staff.warehouse) });
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (existsSync(pidFile)) ports.postgres = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[3] ?? '', 10);
}, 150_000);

afterAll(async () => {
  try {
    if (child && running()) {
      const pid = child.process.pid!;
      child.process.kill('SIGINT');
      const stopped = await Promise.race([child.exit.then(() => true), sleep(30_000).then(() => false)]);
      // Last resort: the whole process group we started (tsx, its node child, the servers).
      if (!stopped) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await Promise.race([child.exit, sleep(5_000)]);
      }
    }
  } finally {
    await resend?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}, 60_000);

describe('npm start, end to end over HTTP', () => {
  it('starts on the configured ports and prints working demo tokens', async () => {
    const out = child!.stdout;
    expect(out).toContain('Wholesale orders is running.');
    expect(out).toContain(`API          http://localhost:${ports.api}`);
    expect(out).toContain(`Temporal UI  http://127.0.0.1:${ports.ui}`);
    expect(out).toContain('Email        Resend');
    expect(out).not.toContain('dev JWT secret');
    expect([...tokens.keys()]).toEqual(['customer (ООО «Ромашка»)', 'customer (ИП Васильева)', 'manager', 'warehouse', 'admin']);

    expect(await listening(ports.temporal)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    expect(ports.postgres).toBeGreaterThan(0);
    expect(await listening(ports.postgres!)).toBe(true);
    expect(await fetch(`${base}/readyz`).then((r) => r.json())).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'ok' }, temporal: { status: 'ok' }, worker: { status: 'ok', pollers: 1 } },
      database: 'ok',
      temporal: 'ok',
    });
    // The printed metrics endpoints answer: the API's own and the in-process worker's SDK metrics.
    const metrics = /Metrics {6}(\S+) \(API\), (\S+) \(worker\)/.exec(out);
    expect(metrics?.[1]).toBe(`http://localhost:${ports.api}/metrics`);
    expect(await fetch(`${base}/metrics`).then((r) => r.text())).toContain('wholesale_business_metrics_up 1');
    expect(await fetch(metrics![2]!.replace('localhost', '127.0.0.1')).then((r) => r.text())).toContain('temporal_num_pollers');

    // The printed tokens are signed with AUTH_JWT_SECRET; a foreign one is refused.
    expect((await customer.api.v1.cart.$get()).status).toBe(200);
    expect((await withToken(tokens.get('admin')!).api.v1.admin.outbox.$get({ query: {} })).status).toBe(200);
    const forged = withToken(await signToken('another-secret-0123456789abcdef', { sub: 'x', role: 'customer', customerId: CUSTOMER.id }));
    expect(await forged.call(forged.api.v1.cart.$get())).toMatchObject({ ok: false, status: 401, problem: { code: 'unauthorized' } });
  }, 30_000);

  it('prints the cabinet link, whose sign-in page offers the demo users (npm start is development)', async () => {
    const link = /Cabinet {6}(\S+)/.exec(child!.stdout)?.[1];
    expect(link).toBe(`http://localhost:${ports.api}/cabinet`);
    const login = await fetch(`${base}/cabinet/login`);
    expect(login.status).toBe(200);
    const page = await login.text();
    expect(page).toContain('Войти: customer (ООО «Ромашка»)');
    // The first demo button signs in: a cookie, then the catalog under that customer's token.
    const signedIn = await fetch(`${base}/cabinet/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'demo=0',
    });
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^cabinet_token=/);
    const catalog = await fetch(`${base}/cabinet/catalog?q=КЛ-20`, { headers: { Cookie: cookie } });
    expect(await catalog.text()).toContain('КЛ-20-2-BLK');
  });

  it('lists the demo hosiery catalog with availability', async () => {
    const { items } = await customer.unwrap(customer.api.v1.catalog.products.$get({ query: { q: 'КЛ-', limit: 50 } }));
    expect(items.length).toBeGreaterThan(5);
    expect(items.every((p) => p.article.startsWith('КЛ-'))).toBe(true);
    expect(items.find((p) => p.sku === 'КЛ-20-3-NUD')).toMatchObject({ article: 'КЛ-20', name: 'Колготки женские 20 den', price: '149.90', available: 340 });
    expect(items.find((p) => p.sku === SCARCE)).toMatchObject({ available: 12 });
  }, 30_000);

  it('cart → checkout → invoice → ship → warehouse → shipped → realization, stock down by what shipped', async () => {
    const before = Object.fromEntries(await Promise.all(Object.keys(SHIP).map(async (sku) => [sku, await available(sku)] as const)));
    expect(before).toEqual({ 'КЛ-20-3-NUD': 340, 'КЛ-40-3-BLK': 340, [SCARCE]: 12 });

    const { orderId, invoice } = await orderInvoice(SHIP);
    expect(invoice).toMatchObject({ status: 'confirmed', customerId: CUSTOMER.id, orderId, number: expect.stringMatching(/^СЧ-\d{4}-\d{6}$/), version: 1 });
    const lines = Object.fromEntries(invoice.lines.map((l) => [l.sku, l]));
    expect(lines['КЛ-20-3-NUD']).toMatchObject({ requested: 30, approved: 30, rejected: 0, price: '149.90', total: '4497.00' });
    expect(lines['КЛ-40-3-BLK']).toMatchObject({ requested: 10, approved: 10, rejected: 0, price: '189.50', total: '1895.00' });
    expect(lines[SCARCE]).toMatchObject({ requested: 20, approved: 12, rejected: 8, price: '149.90', total: '1798.80' });
    const totalKopecks = 449700 + 189500 + 179880;
    expect(invoice.total).toBe('8190.80');
    expect(invoice.totals).toEqual({
      amount: formatRoubles(totalKopecks),
      vat: formatRoubles(vatIncluded(totalKopecks)),
      vatRate: VAT_RATE_PERCENT,
      currency: 'RUB',
    });
    const approved = { 'КЛ-20-3-NUD': 30, 'КЛ-40-3-BLK': 10, [SCARCE]: 12 };
    // reserved at once: available already down
    for (const [sku, qty] of Object.entries(approved)) expect(await available(sku), sku).toBe(before[sku]! - qty);

    const { api, unwrap } = customer;
    const id = { param: { id: invoice.id } };
    // If-Match: the version this test saw; a stale one would be a 412 problem.
    const shipped = await unwrap(api.v1.invoices[':id'].ship.$post({ ...id, header: { 'if-match': String(invoice.version) } }));
    expect(shipped).toMatchObject({ status: 'shipment_confirmed', version: invoice.version + 1 });
    for (const status of ['to_warehouse', 'assembled', 'shipped'] as const) {
      const res = await warehouse.call(warehouse.api.v1.warehouse.invoices[':id'].status.$post({ ...id, json: { status } }));
      expect(res, status).toMatchObject({ ok: true, status: 200, data: { status } });
    }
    expect((await unwrap(api.v1.invoices[':id'].$get(id))).status).toBe('shipped');

    const realizations = await unwrap(api.v1.realizations.$get({ query: {} }));
    const realization = realizations.items.find((r) => r.invoiceId === invoice.id);
    expect(realization).toMatchObject({ number: expect.stringMatching(/^РЛ-\d{4}-\d{6}$/), total: '8190.80' });
    for (const [sku, qty] of Object.entries(approved)) expect(await available(sku), sku).toBe(before[sku]! - qty);

    // emails for the order and the new invoice, each keyed for idempotency
    const placed = await waitEmail(`order/${orderId}/placed`);
    expect(placed.body).toMatchObject({ subject: 'Заказ оформлен' });
    expect(recipients(placed.body)).toEqual([CUSTOMER.email]);
    const created = await waitEmail(`invoice/${invoice.id}/created`);
    expect(created.body).toMatchObject({ subject: `Новый счёт ${invoice.number}` });
    expect(recipients(created.body)).toEqual([CUSTOMER.email]);
    for (const email of [placed, created]) expect(email.key).toBeTruthy();
    expect(resend.emails.every((e) => typeof e.key === 'string' && e.key.length > 0)).toBe(true);
  }, 90_000);

  it('merges two fresh invoices without moving stock; the sources are marked for deletion, then deleted', async () => {
    const first = (await orderInvoice({ [MERGE_A]: 5 })).invoice;
    const second = (await orderInvoice({ [MERGE_A]: 3, [MERGE_B]: 2 })).invoice;
    const stock = { a: await available(MERGE_A), b: await available(MERGE_B) };
    expect(stock).toEqual({ a: 300 - 8, b: 340 - 2 });

    const { api, call, unwrap } = customer;
    const invoiceOf = (id: string) => unwrap(api.v1.invoices[':id'].$get({ param: { id } }));
    const merged = await call(api.v1.invoices.merge.$post({ json: { invoiceIds: [first.id, second.id] } }));
    assert(merged.ok, JSON.stringify(merged));
    expect(merged.status).toBe(202);
    const newId = merged.data.invoiceId;
    const created = await invoiceOf(newId);
    expect(created).toMatchObject({ status: 'draft', mergedFrom: [first.id, second.id], number: expect.stringMatching(/^СЧ-/) });
    expect(Object.fromEntries(created.lines.map((l) => [l.sku, l.approved]))).toEqual({ [MERGE_A]: 8, [MERGE_B]: 2 });
    for (const source of [first, second]) {
      expect(await invoiceOf(source.id)).toMatchObject({ status: 'marked_for_deletion', mergedInto: newId });
    }
    expect({ a: await available(MERGE_A), b: await available(MERGE_B) }).toEqual(stock);

    // MERGE_CLEANUP_DELAY=3s reached the workflows
    for (const source of [first, second]) {
      await poll(
        `source ${source.id}`,
        async () => (await invoiceOf(source.id)).status,
        (s) => s === 'deleted',
        30_000,
      );
    }
    expect({ a: await available(MERGE_A), b: await available(MERGE_B) }).toEqual(stock);
  }, 90_000);

  it('builds a requested document and emails it with the file attached', async () => {
    const { api, call, unwrap } = customer;
    const requested = await call(api.v1.documents.$post({ json: { type: 'receivables' } }));
    assert(requested.ok, JSON.stringify(requested));
    expect(requested.status).toBe(202);
    const param = { id: requested.data.documentId };
    const doc = await poll(
      `document ${param.id}`,
      () => unwrap(api.v1.documents[':id'].$get({ param })),
      (d) => d.status !== 'pending',
    );
    expect(doc).toMatchObject({ status: 'ready', type: 'receivables' });

    const file = await call(api.v1.documents[':id'].file.$get({ param }));
    assert(file.ok, JSON.stringify(file));
    const bytes = Buffer.from(await file.data.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK'); // xlsx = zip

    const email = await waitEmail(`document/${param.id}/ready`);
    const body = email.body as { to: string | string[]; subject: string; attachments?: { filename: string; content: string }[] };
    expect(recipients(body)).toEqual([CUSTOMER.email]);
    expect(body.subject).toContain('документ готов');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments?.[0]?.filename).toBe(doc.fileName);
    expect(Buffer.from(body.attachments?.[0]?.content ?? '', 'base64').equals(bytes)).toBe(true);
  }, 60_000);

  it('stops everything it started on SIGINT', async () => {
    const c = child!;
    c.process.kill('SIGINT');
    const exited = await Promise.race([c.exit, sleep(30_000).then(() => 'timeout' as const)]);
    expect(exited, output()).toEqual({ code: 0, signal: null });
    for (const [name, port] of Object.entries(ports)) expect(await listening(port), `${name} port ${port}`).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 40_000);
});
