import { spawnSync } from 'node:child_process';
import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { authenticate, signToken, type User } from '../api/auth.js';
import { problemResponse, toProblem } from '../api/errors.js';
import { assertProductionReady, DEV_JWT_SECRET, loadConfig, type AuthConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { TEST_SECRET } from './support/fixtures.js';

const user: User = { sub: 'u-1', role: 'customer', customerId: '6f1c1a5e-0a9b-4c1e-9a44-2b7f2d5f2a10' };
const now = () => Math.floor(Date.now() / 1000);

/** The real authenticate middleware on a tiny app with the real error rendering. */
function appWith(overrides: Partial<AuthConfig> = {}) {
  const auth: AuthConfig = { secret: TEST_SECRET, maxTtlSeconds: 30 * 24 * 3600, clockSkewSeconds: 30, issuer: undefined, audience: undefined, ...overrides };
  const app = new Hono<{ Variables: { user: User } }>();
  app.onError((err, c) => {
    const p = toProblem(err, createLogger('silent', 'test'), 'r');
    return problemResponse(c, p.code, p.detail);
  });
  app.use('*', authenticate(auth));
  app.get('/me', (c) => c.json(c.get('user')));
  return async (token: string) => {
    const res = await app.request('/me', { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { code?: string; detail?: string; sub?: string } };
  };
}

describe('bearer tokens', () => {
  const call = appWith();

  it('accepts a token signed by signToken (which always sets iat and exp)', async () => {
    expect(await call(await signToken(TEST_SECRET, user))).toMatchObject({ status: 200, body: { sub: 'u-1' } });
  });

  it('refuses a token without exp', async () => {
    const reply = await call(await sign({ ...user, iat: now() }, TEST_SECRET, 'HS256'));
    expect(reply).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(reply.body.detail).toContain('exp');
  });

  it('refuses a lifetime longer than the maximum (30 days by default)', async () => {
    expect((await call(await sign({ ...user, iat: now(), exp: now() + 31 * 24 * 3600 }, TEST_SECRET, 'HS256'))).status).toBe(401);
    expect((await call(await sign({ ...user, exp: now() + 365 * 24 * 3600 }, TEST_SECRET, 'HS256'))).status).toBe(401);
    expect((await call(await sign({ ...user, iat: now(), exp: now() + 29 * 24 * 3600 }, TEST_SECRET, 'HS256'))).status).toBe(200);
  });

  it('honours exp, nbf and iat with a 30 s clock skew', async () => {
    const at = async (claims: Record<string, number>) => (await call(await sign({ ...user, ...claims }, TEST_SECRET, 'HS256'))).status;
    expect(await at({ iat: now() - 100, exp: now() - 10 })).toBe(200); // expired 10 s ago: within the skew
    expect(await at({ iat: now() - 100, exp: now() - 60 })).toBe(401);
    expect(await at({ iat: now(), nbf: now() + 10, exp: now() + 600 })).toBe(200);
    expect(await at({ iat: now(), nbf: now() + 120, exp: now() + 600 })).toBe(401);
    expect(await at({ iat: now() + 120, exp: now() + 600 })).toBe(401);
  });

  it('refuses another key, another algorithm and garbage', async () => {
    expect((await call(await signToken('another-secret-0123456789abcdef-0123', user))).status).toBe(401);
    expect((await call(await sign({ ...user, exp: now() + 60 }, TEST_SECRET, 'HS512'))).status).toBe(401);
    const [h, p] = (await signToken(TEST_SECRET, user)).split('.');
    expect((await call(`${h ?? ''}.${p ?? ''}.`)).status).toBe(401);
    expect((await call('not-a-token')).status).toBe(401);
  });

  it('checks iss and aud when configured', async () => {
    const strict = appWith({ issuer: 'https://id.supplier.example', audience: 'wholesale-api' });
    expect((await strict(await signToken(TEST_SECRET, user))).status).toBe(401);
    expect((await strict(await signToken(TEST_SECRET, user, { issuer: 'https://id.supplier.example' }))).status).toBe(401);
    expect((await strict(await signToken(TEST_SECRET, user, { issuer: 'https://evil.example', audience: 'wholesale-api' }))).status).toBe(401);
    expect((await strict(await signToken(TEST_SECRET, user, { issuer: 'https://id.supplier.example', audience: 'wholesale-api' }))).status).toBe(200);
  });
});

describe('secrets and production defaults', () => {
  const realSupplier = {
    SUPPLIER_NAME: 'ООО «Настоящая»',
    SUPPLIER_INN: '7800000001',
    SUPPLIER_KPP: '780001001',
    SUPPLIER_ADDRESS: 'Санкт-Петербург',
    SUPPLIER_BANK_NAME: 'Банк',
    SUPPLIER_BANK_BIK: '044030001',
    SUPPLIER_BANK_ACCOUNT: '40702810000000000002',
    SUPPLIER_BANK_CORR_ACCOUNT: '30101810000000000003',
  };

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: '0123456789abcdef' })).toThrow(/AUTH_JWT_SECRET: at least 32 bytes/);
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(31) })).toThrow(/AUTH_JWT_SECRET/);
    expect(loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toHaveLength(32);
    expect(Buffer.byteLength(TEST_SECRET)).toBeGreaterThanOrEqual(32);
  });

  it('production refuses the dev secret and the demo supplier; APP_ENV=development allows them', () => {
    expect(() => assertProductionReady(loadConfig({}))).toThrow(/AUTH_JWT_SECRET, SUPPLIER_NAME, SUPPLIER_INN/);
    expect(() => assertProductionReady(loadConfig({ AUTH_JWT_SECRET: TEST_SECRET }))).toThrow(/SUPPLIER_BANK_ACCOUNT/);
    expect(() => assertProductionReady(loadConfig({ ...realSupplier, AUTH_JWT_SECRET: DEV_JWT_SECRET }))).toThrow(/AUTH_JWT_SECRET/);
    expect(() => assertProductionReady(loadConfig({ ...realSupplier, AUTH_JWT_SECRET: TEST_SECRET }))).not.toThrow();
    expect(() => assertProductionReady(loadConfig({ ...realSupplier, SUPPLIER_INN: ' ', AUTH_JWT_SECRET: TEST_SECRET }))).toThrow(/SUPPLIER_INN/);
    expect(() => assertProductionReady(loadConfig({ APP_ENV: 'development' }))).not.toThrow();
  });

  it('`npm run api` and `npm run worker` stop at once without a real secret, naming it', () => {
    for (const entry of ['runtime/server.ts', 'runtime/worker.ts']) {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: 'postgres://127.0.0.1:1/x',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      };
      const run = spawnSync(process.execPath, ['--import', 'tsx', entry], { env, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, entry).not.toBe(0);
      expect(run.stderr, entry).toContain('Refusing to start in production with development defaults: set AUTH_JWT_SECRET');
    }
  });
});
