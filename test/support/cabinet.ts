// What the cabinet's browser tests share: the test stack in development mode with the demo data,
// served over a real port, Debian's Chromium, signing in as a demo user (in the browser or for the
// API), and a screenshot helper.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Transaction } from 'kysely';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { User } from '../../api/auth.js';
import { DEMO_USERS } from '../../api/demo-users.js';
import type { Database } from '../../db/schema.js';
import { seedDemoData } from '../../db/seed.js';
import { client } from './http.js';
import { startTestStack, type TestStack } from './stack.js';

const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(process.cwd(), '.data', 'artifacts', 'cabinet');

/** The demo customer most steps act as: the label of its sign-in button (api/demo-users.ts). */
export const CUSTOMER = 'customer (ООО «Ромашка»)';
/** A desktop window in Russian, and a 390-px phone. */
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'ru-RU' };
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ru-RU' };

export interface CabinetHarness {
  s: TestStack;
  /** The app's URL on a real port. */
  base: string;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startCabinet(): Promise<CabinetHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's "chromium" package (node scripts/setup.mjs --test does)`);
  // Development: the sign-in page offers the demo users, as under `npm start`.
  const s = await startTestStack({ APP_ENV: 'development' });
  await seedDemoData(s.db);
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: s.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  await mkdir(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  return {
    s,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    async stop() {
      await browser.close();
      await new Promise<void>((done) => server.close(() => done()));
      await s.stop();
    },
  };
}

/** A demo user by the label of its sign-in button. */
export function demoUser(label: string): User {
  const found = DEMO_USERS.find((u) => u.label === label);
  if (!found) throw new Error(`no demo user ${label}`);
  return found.user;
}

/**
 * Starts the cabinet before the file's tests and stops it after them. What it returns reads the
 * harness when a test runs (it does not exist yet when the file is loaded).
 */
export function useCabinet() {
  let harness: CabinetHarness | undefined;
  beforeAll(async () => {
    harness = await startCabinet();
  });
  afterAll(() => harness?.stop());
  const started = () => {
    if (!harness) throw new Error('the cabinet starts in beforeAll: use it inside a test');
    return harness;
  };
  return {
    get s() {
      return started().s;
    },
    get base() {
      return started().base;
    },
    get browser() {
      return started().browser;
    },
    /** A fresh browser context (its own cookies) and a page in it. */
    async open(options: BrowserContextOptions = DESKTOP) {
      const context = await started().browser.newContext(options);
      return { context, page: await context.newPage() };
    },
    /** The API called as a demo user, with a token signed for it. */
    api: (label: string) => client(started().s.app, demoUser(label)),
    /** Signs in with the login page's button for a demo user and waits for the heading of where that user lands. */
    async signIn(page: Page, label = CUSTOMER, landing = 'Каталог') {
      await page.goto(`${started().base}/cabinet/login`);
      await page.getByRole('button', { name: `Войти: ${label}` }).click();
      await page.getByRole('heading', { name: landing, exact: true }).waitFor();
    },
  };
}

/**
 * Holds rows locked (as a slow step would) until `release` is called: `lock` selects them FOR
 * UPDATE in a transaction that stays open meanwhile. `isLocked` resolves once they are held.
 */
export function holdLock(db: TestStack['db'], lock: (trx: Transaction<Database>) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = db.transaction().execute(async (trx) => {
    await lock(trx);
    locked();
    await released;
  });
  return {
    isLocked,
    release: async () => {
      release();
      await done;
    },
  };
}

/** A step's picture. Chromium on a busy machine now and then fails a capture mid-paint ("Unable to capture screenshot"): one more try. */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  const take = () => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
  await take().catch(async () => {
    await page.waitForTimeout(300);
    await take();
  });
}

/** `shot` for one test file, its pictures' names starting with `prefix`. */
export const shotsFor =
  (prefix: string) =>
  (page: Page, name: string, fullPage = true): Promise<void> =>
    shot(page, `${prefix}${name}`, fullPage);
