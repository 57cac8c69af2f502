import { defineSignal } from '@temporalio/workflow';

/** "Look at the line again": stock came free, someone joined or left. Signals coalesce. */
export const waitlistPokeSignal = defineSignal('waitlistPoke');

export interface WaitlistWorkflowInput {
  sku: string;
  /** How long an offer holds the stock for the customer. */
  holdMs: number;
}

/** An offer a pass over the line made: `held` pieces kept for the customer until `holdUntil`. */
export interface WaitlistOffer {
  entryId: string;
  customerId: string;
  sku: string;
  name: string;
  held: number;
  holdUntil: string;
}
