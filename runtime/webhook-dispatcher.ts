import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database.js';
import { eventsBySeq } from '../db/outbox.repository.js';
import { claimDue, fanOut, markDelivered, markFailed, type Claimed } from '../db/webhooks.repository.js';
import type { WebhookConfig } from './config.js';
import type { Logger } from './logger.js';

/**
 * Delivers the outbox to the configured webhooks, at least once and in order per aggregate per
 * endpoint (db/webhooks.repository.ts says how). Safe to run in every worker process: claims are
 * row locks plus a lease, never process memory.
 *
 * A request: POST, the event envelope as JSON, and
 *   X-Event-Id, X-Event-Type, X-Event-Seq      the receiver deduplicates by X-Event-Id;
 *   X-Webhook-Timestamp                        Unix seconds of this attempt;
 *   X-Webhook-Signature: sha256=<hex>          HMAC-SHA256(WEBHOOK_SECRET, `${timestamp}.${body}`).
 * Any 2xx is delivered; anything else (or no answer within WEBHOOK_TIMEOUT) is retried with
 * exponential back-off and jitter, and after WEBHOOK_MAX_ATTEMPTS becomes a dead letter.
 */

export interface Dispatcher {
  /** Stops claiming, lets requests in flight finish and records them. */
  stop(): Promise<void>;
  /** Stops at once, as a crash would: requests in flight are dropped unrecorded, their leases run out. */
  abort(): Promise<void>;
}

const BATCH = 20;

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Exponential, capped, with "equal jitter": half the delay fixed, half random, so retries of many events spread out. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(delay / 2 + (random() * delay) / 2);
}

export function startWebhookDispatcher({ db, config, logger }: { db: Db; config: WebhookConfig; logger: Logger }): Dispatcher {
  const { urls, secret } = config;
  // None configured: nothing to deliver (the feed, GET /v1/events, still has every event).
  if (urls.length === 0) return { stop: () => Promise.resolve(), abort: () => Promise.resolve() };
  const stopping = new AbortController();
  const crashed = new AbortController();
  const leaseMs = config.timeoutMs * 2;

  async function deliver(c: Claimed): Promise<void> {
    const event = (await eventsBySeq(db, [c.eventSeq])).get(c.eventSeq);
    if (!event || !secret) return;
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(Date.now() / 1000));
    let error: string;
    try {
      const res = await fetch(c.endpoint, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json',
          'X-Event-Id': event.id,
          'X-Event-Type': event.type,
          'X-Event-Seq': String(event.seq),
          'X-Webhook-Timestamp': timestamp,
          'X-Webhook-Signature': signatureOf(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(config.timeoutMs), crashed.signal]),
      });
      await res.body?.cancel();
      if (res.ok) {
        await markDelivered(db, c.id);
        return;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      if (crashed.signal.aborted) return;
      error = err instanceof Error ? err.message : String(err);
    }
    const dead = c.attempt >= config.maxAttempts;
    await markFailed(db, c, error, dead ? { dead: true } : { retryInMs: backoffMs(c.attempt, config.backoffBaseMs, config.backoffMaxMs) });
    (dead ? logger.warn : logger.info).call(
      logger,
      { endpoint: c.endpoint, eventSeq: c.eventSeq, attempt: c.attempt, error },
      dead ? 'webhook dead letter' : 'webhook retry',
    );
  }

  async function tick(): Promise<number> {
    for (const url of urls) while ((await fanOut(db, url)) > 0 && !stopping.signal.aborted);
    const claimed = await claimDue(db, urls, BATCH, leaseMs);
    // One per aggregate and endpoint at most (the claim's order rule): they may go in parallel.
    await Promise.all(claimed.map((c) => deliver(c)));
    return claimed.length;
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let busy = 0;
      try {
        busy = await tick();
      } catch (err) {
        if (crashed.signal.aborted) return;
        logger.warn({ err }, 'webhook dispatcher: retrying after an error');
      }
      if (busy === 0) await sleep(config.pollIntervalMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  logger.info({ endpoints: urls.length }, 'webhook dispatcher started');
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
    async abort() {
      crashed.abort();
      stopping.abort();
      await loop;
    },
  };
}
