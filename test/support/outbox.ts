import { expect } from 'vitest';
import type { WebhookConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { startWebhookDispatcher } from '../../runtime/webhook-dispatcher.js';
import { client } from './http.js';
import { staff } from './scenario.js';
import type { TestStack } from './stack.js';
import { WEBHOOK_TEST_SECRET, type Receiver } from './webhook-receiver.js';

export interface FeedEvent {
  id: string;
  seq: number;
  type: string;
  aggregate: { type: string; id: string };
  data: Record<string, any>;
}

/** A dispatcher as the worker runs it, with test-sized back-off. */
export function dispatcher(s: TestStack, urls: string[], overrides: Partial<WebhookConfig> = {}) {
  const config: WebhookConfig = {
    urls,
    secret: WEBHOOK_TEST_SECRET,
    maxAttempts: 10,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    timeoutMs: 5_000,
    pollIntervalMs: 50,
    ...overrides,
  };
  return startWebhookDispatcher({ db: s.db, config, logger: createLogger('silent', 'test') });
}

/** The whole feed, read in small pages so the cursor is exercised. */
export async function readFeed(s: TestStack, pageSize = 3): Promise<FeedEvent[]> {
  const admin = client(s.app, staff.admin);
  const all: FeedEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await admin('GET', `/v1/events?after=${after}&limit=${pageSize}`);
    expect(page.status).toBe(200);
    all.push(...page.body.items);
    expect(page.body.next).toBe(page.body.items.at(-1)?.seq ?? after);
    after = page.body.next;
    if (!page.body.hasMore) return all;
  }
}

/** Waits until the receiver has accepted every event of the feed. */
export async function allDelivered(s: TestStack, receiver: Receiver): Promise<FeedEvent[]> {
  let feed: FeedEvent[] = [];
  await expect
    .poll(
      async () => {
        feed = await readFeed(s, 200);
        const got = receiver.ids();
        return feed.filter((e) => !got.has(e.id)).map((e) => `${e.seq} ${e.type}`);
      },
      { timeout: 30_000, interval: 100 },
    )
    .toEqual([]);
  return feed;
}

/**
 * What an at-least-once, in-order receiver may see: per aggregate, the first arrivals are the
 * feed's order; a repeat carries an id already seen with the very same body; nothing unsigned.
 */
export function expectOrderedDelivery(receiver: Receiver, feed: FeedEvent[]): void {
  expect(receiver.badSignatures).toBe(0);
  const bodies = new Map<string, string>();
  const firstArrivals = new Map<string, string[]>();
  for (const e of receiver.accepted) {
    const seen = bodies.get(e.id);
    if (seen !== undefined) {
      expect(e.body, `repeat of ${e.id} differs`).toBe(seen);
      continue;
    }
    bodies.set(e.id, e.body);
    firstArrivals.set(e.aggregateId, [...(firstArrivals.get(e.aggregateId) ?? []), e.id]);
  }
  const feedOrder = new Map<string, string[]>();
  for (const e of feed) feedOrder.set(e.aggregate.id, [...(feedOrder.get(e.aggregate.id) ?? []), e.id]);
  expect(firstArrivals).toEqual(feedOrder);
}
