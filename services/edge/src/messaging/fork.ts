import { bestFinalStatus, type Binding } from '@presence/core';
import type { BranchOutcome, ContactDelivery } from './contact-delivery.js';
import type { MessageCopy } from './message-copy.js';

export interface ForkResult {
  /** The answer for the sender (RFC 3261 §16.7): the first 2xx, else the best final response. */
  readonly status: number;
  readonly reason: string;
  readonly delivered: boolean;
}

/**
 * Sends a MESSAGE to every contact at once (parallel forking, RFC 3428 §4
 * via RFC 3261 §16). `onSuccess` hears of the first 2xx as it arrives, so
 * the sender is answered without waiting for slower contacts; the promise
 * resolves once every branch ended.
 */
export async function forkToContacts(delivery: ContactDelivery, bindings: readonly Binding[], copy: MessageCopy, onSuccess?: (outcome: BranchOutcome) => void): Promise<ForkResult> {
  let first: BranchOutcome | undefined;
  const outcomes = await Promise.all(
    bindings.map(async (binding) => {
      const outcome = await delivery.send(binding, copy);
      if (outcome.status >= 200 && outcome.status < 300 && first === undefined) {
        first = outcome;
        onSuccess?.(outcome);
      }
      return outcome;
    }),
  );
  if (first !== undefined) return { ...first, delivered: true };
  const status = bestFinalStatus(outcomes.map((o) => o.status));
  const reason = outcomes.find((o) => o.status === status)?.reason ?? (status === 500 ? 'Server Internal Error' : 'Temporarily Unavailable');
  return { status, reason, delivered: false };
}
