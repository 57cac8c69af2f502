import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../../db/database.js';
import type { FakeResend } from '../../support/fake-resend.js';
import { doubledDeliveries, doubledEffects, doubledEmails, ordersWithoutInvoice, stockViolations } from '../../support/invariants.js';

/**
 * Every invariant of the suite at once. Waits (bounded) for the system to go quiet, since a merge
 * or a shipment moves rows in steps; returns what is still violated after `withinMs`.
 */
export async function invariantViolations(db: Db, resend: FakeResend, orderIds: string[], withinMs = 30_000): Promise<string[]> {
  let found: string[] = [];
  const deadline = Date.now() + withinMs;
  for (;;) {
    found = [
      ...(await stockViolations(db)),
      ...(await doubledEffects(db)),
      ...(await ordersWithoutInvoice(db, orderIds)).map((id) => `acknowledged order ${id} has no invoice`),
      ...doubledEmails(resend.emails).map((key) => `email ${key} accepted with different bodies`),
      ...doubledDeliveries(resend.emails),
    ];
    if (found.length === 0 || Date.now() > deadline) return found;
    await sleep(500);
  }
}

/** A small seeded generator, so a failing run's fault schedule can be repeated (FAULTS_SEED). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function suiteSeed(): number {
  const fromEnv = Number.parseInt(process.env.FAULTS_SEED ?? '', 10);
  return Number.isInteger(fromEnv) ? fromEnv : Date.now() % 1_000_000;
}
