import type { SubHandling } from '../rules/sub-handling.js';
import type { WatcherEvent, WatcherStatus } from '../winfo/watcherinfo.js';

/**
 * Where a watcher's subscription stands under authorization, as the
 * watcher experiences it: `pending` (Subscription-State: pending, NOTIFY
 * without state), `shown` (active, its view of the document), `neutral`
 * (active, the offline document: polite-block), `ended` (terminated).
 */
export type AuthorizationStanding = 'pending' | 'shown' | 'neutral' | 'ended';

/** What happens to a subscription when its sub-handling is (re)decided. */
export interface AuthorizationTransition {
  readonly standing: AuthorizationStanding;
  /**
   * The Subscription-State change to send, or undefined when the watcher's
   * state line does not change: `activated` (pending → active, a full
   * NOTIFY follows), `rejected` and `deactivated` (terminated with that
   * reason; deactivated invites an immediate re-SUBSCRIBE, RFC 6665 §4.1.3).
   */
  readonly change?: 'activated' | 'rejected' | 'deactivated';
  /** The presentity's watcherinfo entry (RFC 3857 §3.2.4), or undefined when it does not change. */
  readonly winfo?: { readonly status: WatcherStatus; readonly event: WatcherEvent };
}

const STANDING: Readonly<Record<SubHandling, AuthorizationStanding>> = { allow: 'shown', 'polite-block': 'neutral', confirm: 'pending', block: 'ended' };

/**
 * The transition from `previous` (undefined for a new subscription) to
 * the standing `next` sub-handling gives. RFC 3857 §3.2.4 drives the
 * winfo events: a new one is `subscribe`, pending to active `approved`, a
 * block `rejected`. An active subscription the rules now want confirmed
 * again cannot go back to pending (no such transition in RFC 3857), so it
 * ends `deactivated` and its re-SUBSCRIBE waits for confirmation. A
 * polite-blocked watcher is active to everyone, the presentity included:
 * politeness hides only the presence, not the subscription.
 */
export function authorizationTransition(previous: AuthorizationStanding | undefined, next: SubHandling): AuthorizationTransition {
  const standing = STANDING[next];
  if (previous === 'ended') return { standing: 'ended' };
  if (previous === undefined) {
    if (standing === 'ended') return { standing, change: 'rejected', winfo: { status: 'terminated', event: 'rejected' } };
    return { standing, winfo: { status: standing === 'pending' ? 'pending' : 'active', event: 'subscribe' } };
  }
  if (standing === 'ended') return { standing, change: 'rejected', winfo: { status: 'terminated', event: 'rejected' } };
  if (previous === 'pending') {
    if (standing === 'pending') return { standing };
    return { standing, change: 'activated', winfo: { status: 'active', event: 'approved' } };
  }
  if (standing === 'pending') return { standing: 'ended', change: 'deactivated', winfo: { status: 'terminated', event: 'deactivated' } };
  return { standing };
}
