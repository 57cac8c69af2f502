// The webhook settings and the pure parts of delivery: what an operator can misconfigure is refused
// at start-up, the retry delays grow and stay capped, and the signature is the documented HMAC.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config.js';
import { backoffMs, signatureOf } from '../runtime/webhook-dispatcher.js';

describe('webhook configuration', () => {
  it('delivers nowhere by default', () => {
    expect(loadConfig({}).webhooks).toMatchObject({
      urls: [],
      secret: undefined,
      maxAttempts: 12,
      backoffBaseMs: 2_000,
      backoffMaxMs: 600_000,
      timeoutMs: 10_000,
    });
  });

  it('reads comma-separated endpoints and requires a secret with them', () => {
    const config = loadConfig({ WEBHOOK_URLS: ' https://erp.example/hook , http://10.0.0.5:8080/events', WEBHOOK_SECRET: 'a-long-enough-secret' });
    expect(config.webhooks.urls).toEqual(['https://erp.example/hook', 'http://10.0.0.5:8080/events']);
    expect(() => loadConfig({ WEBHOOK_URLS: 'https://erp.example/hook' })).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadConfig({ WEBHOOK_URLS: 'ftp://erp.example/hook', WEBHOOK_SECRET: 'a-long-enough-secret' })).toThrow(/WEBHOOK_URLS/);
    expect(() => loadConfig({ WEBHOOK_URLS: 'https://erp.example/hook', WEBHOOK_SECRET: 'short' })).toThrow(/WEBHOOK_SECRET/);
  });
});

describe('back-off', () => {
  it('doubles per attempt between half and all of the delay, capped', () => {
    const low = (n: number) => backoffMs(n, 1_000, 60_000, () => 0);
    const high = (n: number) => backoffMs(n, 1_000, 60_000, () => 1);
    expect([1, 2, 3, 4].map(low)).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map(high)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(high(40)).toBe(60_000);
    expect(low(40)).toBe(30_000);
  });
});

it('signs `timestamp.body` with HMAC-SHA256', () => {
  const body = '{"id":"x"}';
  expect(signatureOf('secret-0123456789', '1700000000', body)).toBe(
    `sha256=${createHmac('sha256', 'secret-0123456789').update(`1700000000.${body}`).digest('hex')}`,
  );
  expect(signatureOf('secret-0123456789', '1700000001', body)).not.toBe(signatureOf('secret-0123456789', '1700000000', body));
});
