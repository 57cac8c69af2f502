// What the cabinet's browser tests share: the test stack in development mode with the demo data,
// served over a real port, Debian's Chromium, and a screenshot helper.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedDemoData } from '../../db/seed.js';
import { startTestStack, type TestStack } from './stack.js';

const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(process.cwd(), '.data', 'artifacts', 'cabinet');

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

/** A step's picture. Chromium on a busy machine now and then fails a capture mid-paint ("Unable to capture screenshot"): one more try. */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  const take = () => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
  await take().catch(async () => {
    await page.waitForTimeout(300);
    await take();
  });
}
