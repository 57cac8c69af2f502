import { condition, continueAsNew, log, setCurrentDetails, setHandler } from '@temporalio/workflow';
import { waitlistPokeSignal, type WaitlistWorkflowInput } from '../core/contracts/waitlist.js';
import { waitlistDetails } from '../core/domain/invoice-details.js';
import { db, email } from './activities.js';

/** Passes per run before continuing as new, so a busy SKU's history stays short. */
const PASSES_PER_RUN = 200;

/**
 * waitlist/<sku>: offers the SKU's free stock to those waiting, in the order they asked. Each pass
 * is one database transaction (lapsed holds back, expired places out, free stock held for the
 * next in line), so concurrent arrivals and overlapping attempts cannot offer the same pieces
 * twice. Between passes it sleeps until a hold or a wait runs out, or until poked (stock came
 * free, someone joined or left). It ends when nobody is in line; a newcomer starts it again.
 */
export async function waitlistWorkflow(input: WaitlistWorkflowInput): Promise<void> {
  let poked = false;
  setHandler(waitlistPokeSignal, () => {
    poked = true;
  });
  // Emails go out in the background; the run ends only once they are settled.
  const sending = new Set<Promise<void>>();
  const settle = () => Promise.all([...sending]);
  const asked = new Set<string>();
  // Read through a function: the signal handler changes it while we wait, which TypeScript's
  // narrowing after \`poked = false\` cannot see.
  const wasPoked = (): boolean => poked;
  for (let pass = 0; pass < PASSES_PER_RUN; pass++) {
    poked = false;
    const { offers, waiting, nextAt } = await db.offerWaitlist({ sku: input.sku, holdMs: input.holdMs });
    setCurrentDetails(waitlistDetails({ sku: input.sku, waiting, offers, nextAt }));
    for (const offer of offers) {
      // Keyed by the hold's end: one email per offer, however often the pass is retried. A pass
      // returns every standing offer; this run asks once per offer (the email log dedups the rest).
      const request = { key: `waitlist/${offer.entryId}/offer/${offer.holdUntil}`, kind: 'waitlist_offer' as const, ...offer };
      if (asked.has(request.key)) continue;
      asked.add(request.key);
      const sent: Promise<void> = email
        .sendEmail(request)
        .catch((err: unknown) => log.warn('waitlist email not sent', { entryId: offer.entryId, err }))
        .finally(() => sending.delete(sent));
      sending.add(sent);
    }
    if (nextAt === null && !wasPoked()) {
      // Nobody left in line. A poke racing the end (a newcomer) gets one more pass.
      await condition(wasPoked, '1s');
      if (!wasPoked()) await settle();
      if (!wasPoked()) return;
      continue;
    }
    if (nextAt !== null) await condition(wasPoked, Math.max(1000, Date.parse(nextAt) - Date.now()));
  }
  await settle();
  await continueAsNew<typeof waitlistWorkflow>(input);
}
