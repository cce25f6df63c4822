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
 * via RFC 3261 §16) and resolves at the first 2xx, without waiting for
 * slower contacts (their transactions end on their own, unheard), or once
 * every branch failed, with the best of the failures.
 */
export function forkToContacts(delivery: ContactDelivery, bindings: readonly Binding[], copy: MessageCopy): Promise<ForkResult> {
  return new Promise((resolve) => {
    const outcomes: BranchOutcome[] = [];
    const settle = (outcome: BranchOutcome): void => {
      outcomes.push(outcome);
      if (outcome.status >= 200 && outcome.status < 300) resolve({ ...outcome, delivered: true });
      else if (outcomes.length === bindings.length) resolve(best(outcomes));
    };
    if (bindings.length === 0) resolve(best(outcomes));
    for (const binding of bindings) void delivery.send(binding, copy).then(settle);
  });
}

function best(outcomes: readonly BranchOutcome[]): ForkResult {
  const status = bestFinalStatus(outcomes.map((o) => o.status));
  const reason = outcomes.find((o) => o.status === status)?.reason ?? (status === 500 ? 'Server Internal Error' : 'Temporarily Unavailable');
  return { status, reason, delivered: false };
}
