import { createServer, type Server } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { toProblem } from '../api/errors.js';
import type { Db } from '../db/database.js';
import { freePort } from '../runtime/dev-stack.js';
import { loadConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { connectApiClient } from '../runtime/temporal.js';
import { createApiDb } from '../db/database.js';
import { addProduct, customerUser } from './support/fixtures.js';
import { client } from './support/http.js';
import { invoiceFromCart } from './support/hostile.js';
import { newCustomer } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

let s: TestStack;
const logger = createLogger('silent', 'test');

beforeAll(async () => {
  s = await startTestStack();
  await addProduct(s.db, 'DOWN-1', { onHand: 100 });
});
afterAll(() => s.stop());

/** Time a call and its answer. */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; reply: T }> {
  const started = performance.now();
  const reply = await fn();
  return { ms: performance.now() - started, reply };
}

function expectUnavailable(reply: { status: number; headers: Headers; body: { code?: string } }) {
  expect(reply.status).toBe(503);
  expect(reply.body.code).toBe('unavailable');
  expect(reply.headers.get('content-type')).toBe('application/problem+json');
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
}

describe('Temporal unreachable (a closed port)', () => {
  it('answers writes 503 + Retry-After within 2 s, keeps the cart, and /readyz says so within ~1 s', async () => {
    const temporal = await connectApiClient(`127.0.0.1:${await freePort()}`, 'default');
    const app = createApp({ db: s.db, temporal, config: s.config, logger });
    const me = await newCustomer(s);
    const invoiceId = await invoiceFromCart(me.call, { 'DOWN-1': 1 });
    expect((await me.call('PUT', '/v1/cart/items/DOWN-1', { quantity: 3 })).status).toBe(200);
    const call = client(app, customerUser(me.id));

    const checkout = await timed(() => call('POST', '/v1/cart/checkout', { target: 'new' }));
    expectUnavailable(checkout.reply);
    expect(checkout.ms).toBeLessThan(2000);
    expect((await me.call('GET', '/v1/cart')).body.lines).toHaveLength(1); // nothing taken

    const submit = await timed(() => call('POST', `/v1/invoices/${invoiceId}/submit`));
    expectUnavailable(submit.reply);
    expect(submit.ms).toBeLessThan(2000);

    const ready = await timed(() => call('GET', '/readyz'));
    expect(ready.reply).toMatchObject({ status: 503, body: { status: 'not_ready', database: 'ok', temporal: 'unreachable' } });
    expect(ready.ms).toBeLessThan(1500);
    // Reads that need only PostgreSQL still work.
    expect((await call('GET', `/v1/invoices/${invoiceId}`)).status).toBe(200);
    await temporal.connection.close();
  });

  it('joining and leaving the waitlist need only PostgreSQL: done and answered, the waker offers later', async () => {
    await addProduct(s.db, 'DOWN-W', { onHand: 0 });
    const temporal = await connectApiClient(`127.0.0.1:${await freePort()}`, 'default');
    const app = createApp({ db: s.db, temporal, config: s.config, logger });
    const me = await newCustomer(s);
    const call = client(app, customerUser(me.id));
    const joined = await timed(() => call('POST', '/v1/waitlist', { sku: 'DOWN-W', quantity: 2 }));
    expect(joined.reply).toMatchObject({ status: 201, body: { status: 'waiting', position: 1 } });
    expect(joined.ms).toBeLessThan(3000);
    const left = await call('DELETE', `/v1/waitlist/${joined.reply.body.id}`);
    expect(left).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    await temporal.connection.close();
  });

  it('a server that accepts connections but never answers hits the deadline: 503, not a hang', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const temporal = await connectApiClient(`127.0.0.1:${port}`, 'default');
    const config = { ...s.config, timeouts: { ...s.config.timeouts, temporalMs: 1000 } };
    const app = createApp({ db: s.db, temporal, config, logger });
    const me = await newCustomer(s);
    expect((await me.call('PUT', '/v1/cart/items/DOWN-1', { quantity: 1 })).status).toBe(200);
    const call = client(app, customerUser(me.id));

    const checkout = await timed(() => call('POST', '/v1/cart/checkout', { target: 'new' }));
    expectUnavailable(checkout.reply);
    expect(checkout.ms).toBeLessThan(2500);
    const ready = await timed(() => call('GET', '/readyz'));
    expect(ready.reply.status).toBe(503);
    expect(ready.ms).toBeLessThan(1500);
    await temporal.connection.close();
    silent.close();
  });
});

describe('PostgreSQL unreachable or saturated', () => {
  it('a closed port: 503 + Retry-After at once, and /readyz 503', async () => {
    const db = createApiDb(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/none`, 10, s.config.timeouts.dbConnectMs);
    const app = createApp({ db, temporal: s.client, config: s.config, logger });
    const me = await newCustomer(s);
    const call = client(app, customerUser(me.id));
    for (const [method, path, body] of [
      ['GET', '/v1/cart', undefined],
      ['PUT', '/v1/settings', { emailNotifications: false }],
      ['POST', '/v1/cart/checkout', { target: 'new' }],
    ] as const) {
      const r = await timed(() => call(method, path, body));
      expectUnavailable(r.reply);
      expect(r.ms).toBeLessThan(2000);
    }
    const ready = await timed(() => call('GET', '/readyz'));
    expect(ready.reply).toMatchObject({ status: 503, body: { database: 'unreachable', temporal: 'ok' } });
    expect(ready.ms).toBeLessThan(1500);
    await db.destroy();
  });

  it('a saturated pool: requests wait API_DB_CONNECT_TIMEOUT, then 503; /readyz answers within ~1 s', async () => {
    const config = loadConfig({
      DATABASE_URL: s.testDb.url,
      TEMPORAL_ADDRESS: 'unused:1',
      AUTH_JWT_SECRET: s.config.jwtSecret,
      API_DB_CONNECT_TIMEOUT: '500ms',
    });
    const db: Db = createApiDb(s.testDb.url, 1, config.timeouts.dbConnectMs);
    const app = createApp({ db, temporal: s.client, config: s.config, logger });
    const me = await newCustomer(s);
    const call = client(app, customerUser(me.id));
    expect((await call('GET', '/v1/cart')).status).toBe(200);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const isHeld = new Promise<void>((resolve) => (holding = resolve));
    const holder = db.connection().execute(async (conn) => {
      await sql`select 1`.execute(conn);
      holding();
      await held;
    });
    await isHeld;
    const busy = await timed(() => call('GET', '/v1/cart'));
    expectUnavailable(busy.reply);
    expect(busy.ms).toBeLessThan(1500);
    const ready = await timed(() => call('GET', '/readyz'));
    expect(ready.reply).toMatchObject({ status: 503, body: { database: 'unreachable' } });
    expect(ready.ms).toBeLessThan(1500);

    release();
    await holder;
    expect((await call('GET', '/v1/cart')).status).toBe(200);
    await db.destroy();
  });

  it('maps a real admin shutdown of the connection (57P01) to unavailable', async () => {
    const victim = new pg.Client({ connectionString: s.testDb.url });
    await victim.connect();
    victim.on('error', () => undefined);
    const pidRow = await victim.query<{ pid: number }>('select pg_backend_pid() as pid');
    const sleeping = victim.query('select pg_sleep(10)').then(
      () => undefined,
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 100));
    await sql`select pg_terminate_backend(${pidRow.rows[0]?.pid ?? 0})`.execute(s.db);
    const err = await sleeping;
    expect((err as { code?: string }).code).toBe('57P01');
    expect(toProblem(err, logger, 'r').code).toBe('unavailable');
    await victim.end().catch(() => undefined);
  });
});
