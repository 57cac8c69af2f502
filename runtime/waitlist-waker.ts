import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { pokeWaitlist } from '../api/waitlist-poke.js';
import type { Db } from '../db/database.js';
import { skusToOffer } from '../db/waitlist.repository.js';
import type { Logger } from './logger.js';

/** How often the waker looks; how long it leaves a SKU it just poked alone. */
const POLL_MS = 1000;
const QUIET_MS = 5000;

/**
 * Pokes the waitlist workflow of every SKU where someone waits while stock is free. Polling the
 * stock instead of hooking every path that frees it (a correction, an edit, a cancel, an expiry,
 * a lapsed hold) means none of them can forget to: the line hears within a second. Safe in every
 * worker process: a poke is a signal, and the workflow's pass is one transaction.
 */
export function startWaitlistWaker({
  db,
  temporal,
  taskQueue,
  holdMs,
  logger,
}: {
  db: Db;
  temporal: Client;
  taskQueue: string;
  holdMs: number;
  logger: Logger;
}): {
  stop(): Promise<void>;
} {
  const stopping = new AbortController();
  const poked = new Map<string, number>();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const now = Date.now();
        for (const [sku, at] of poked) if (now - at > QUIET_MS) poked.delete(sku);
        for (const sku of await skusToOffer(db, 100)) {
          if (poked.has(sku)) continue; // its workflow is on it; a slow pass is not hurried by more signals
          await pokeWaitlist(temporal, taskQueue, sku, holdMs);
          poked.set(sku, now);
        }
      } catch (err) {
        logger.warn({ err }, 'waitlist waker: retrying after an error');
      }
      await sleep(POLL_MS, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
