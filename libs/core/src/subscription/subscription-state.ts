import { NoSuchSubscriptionError } from '../errors/catalogue.js';
import type { SubscriptionStatus } from '../model/watcher.js';

/** Reasons of a terminated subscription: RFC 6665 §4.1.3, registered in §8.4 (from RFC 3265). */
export type TerminationReason =
  | 'deactivated'
  | 'probation'
  | 'rejected'
  | 'timeout'
  | 'giveup'
  | 'noresource'
  | 'invariant';

/** Notifier-side state of one subscription (RFC 6665 §4.1.3, §4.2.2). */
export interface SubscriptionState {
  readonly status: SubscriptionStatus;
  /** Absolute expiry, ms since the epoch. */
  readonly expiresAt: number;
  /** Set exactly when `status` is 'terminated'. */
  readonly reason?: TerminationReason;
}

/** What can happen to a subscription, as the notifier sees it. */
export type SubscriptionEvent =
  /** Authorization policy now allows the watcher (pending → active). */
  | { type: 'authorized' }
  /** A refreshing SUBSCRIBE with a non-zero granted duration. */
  | { type: 'refreshed'; expiresAt: number }
  /** A SUBSCRIBE with Expires 0: unsubscribe, or the fetch of an initial SUBSCRIBE. */
  | { type: 'unsubscribed' }
  /** The subscription reached its expiry without refresh. */
  | { type: 'expired' }
  /** Authorization policy now refuses the watcher. */
  | { type: 'rejected' }
  /** A NOTIFY failed with 481, Timer F or a transport error. */
  | { type: 'notify-failed' }
  /** The notifier ends the subscription and invites an immediate re-subscribe (e.g. shutdown, migration). */
  | { type: 'deactivated' }
  /** The resource subscribed to no longer exists (e.g. a resource list whose service was deleted). */
  | { type: 'gone' };

/**
 * State of a subscription just accepted (RFC 6665 §4.2.1.1, §4.2.1.3): 'active'
 * when the subscriber is authorized, 'pending' while authorization is not yet
 * decided. The first NOTIFY carries this state at once (§4.2.2).
 */
export function startSubscription(expiresAt: number, authorized: boolean): SubscriptionState {
  return { status: authorized ? 'active' : 'pending', expiresAt };
}

const terminated = (state: SubscriptionState, reason: TerminationReason): SubscriptionState => ({
  status: 'terminated',
  expiresAt: state.expiresAt,
  reason,
});

/**
 * Notifier state machine, RFC 6665 §4.1.3 / §4.2.2 (states pending, active,
 * terminated) with the termination reasons of §4.1.3:
 * - authorized: pending → active (§4.2.1.3); active stays active.
 * - refreshed: new expiry, status unchanged (§4.2.1.2).
 * - unsubscribed → terminated;reason=timeout. A SUBSCRIBE with Expires 0 is an
 *   unsubscribe (§4.1.2.3) and, on an initial SUBSCRIBE, a fetch (§4.4.3);
 *   §4.4.3 says the NOTIFY a SUBSCRIBE with Expires 0 triggers carries
 *   "terminated" with reason "timeout", and §4.1.3 ties "timeout" to polling.
 * - expired → terminated;reason=timeout (§4.1.3 "timeout": not refreshed in time).
 * - rejected → terminated;reason=rejected (§4.1.3: authorization policy changed;
 *   the subscriber should not retry).
 * - notify-failed → terminated;reason=deactivated. §4.2.2: after a 481 or a
 *   Timer F timeout on NOTIFY the notifier removes the subscription; no NOTIFY
 *   can carry the reason, so it is recorded only. "deactivated" (retry at once
 *   with a new subscription) is the only reason whose client behaviour fits a
 *   subscription lost on the notifier→subscriber path; "giveup" means
 *   authorization could not be obtained in time, and "timeout" a missing refresh.
 * - deactivated → terminated;reason=deactivated (§4.1.3).
 * - gone → terminated;reason=noresource (§4.1.3: the state monitored no longer
 *   exists; the subscriber should not retry until told it exists again).
 *
 * Terminated is final: the subscription no longer exists, so any further event
 * is answered as for an unknown dialog (481, RFC 6665 §4.2.1.2 / RFC 3261 §12.2.2).
 *
 * @throws NoSuchSubscriptionError (481) for any event on a terminated subscription.
 */
export function nextSubscriptionState(state: SubscriptionState, event: SubscriptionEvent): SubscriptionState {
  if (state.status === 'terminated') {
    throw new NoSuchSubscriptionError('Subscription does not exist');
  }
  switch (event.type) {
    case 'authorized':
      return state.status === 'active' ? state : { status: 'active', expiresAt: state.expiresAt };
    case 'refreshed':
      return { status: state.status, expiresAt: event.expiresAt };
    case 'unsubscribed':
    case 'expired':
      return terminated(state, 'timeout');
    case 'rejected':
      return terminated(state, 'rejected');
    case 'notify-failed':
    case 'deactivated':
      return terminated(state, 'deactivated');
    case 'gone':
      return terminated(state, 'noresource');
  }
}

/**
 * Value of the Subscription-State header of a NOTIFY (RFC 6665 §4.1.3, §4.2.2,
 * §8.4 grammar): `active;expires=N`, `pending;expires=N` with N the remaining
 * whole seconds (rounded up, never negative), or `terminated;reason=R`.
 */
export function subscriptionStateHeader(state: SubscriptionState, now: number): string {
  if (state.status === 'terminated') {
    return state.reason === undefined ? 'terminated' : `terminated;reason=${state.reason}`;
  }
  const remaining = Math.max(0, Math.ceil((state.expiresAt - now) / 1000));
  return `${state.status};expires=${remaining}`;
}
