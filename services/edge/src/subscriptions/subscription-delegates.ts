import type { PresentitySnapshot, SubscribeCommand, SubscribedReply, UnsubscribeReason } from '@presence/contracts';
import type { TerminationReason } from '@presence/core';
import type { NotifyControls } from './subscribe-request.js';
import type { WatcherDialog } from './watcher-dialog.js';

/*
 * The doors out of subscriptions/ (SIP.js delegate habit): subscriptions owns
 * these interfaces and imports neither ingress/ nor egress/; edge.ts hands it
 * the objects that implement them.
 */

/** What subscriptions see of an event package's state: whose it is, and the body a final NOTIFY carries when it has one. */
export interface PackageState {
  readonly presentity: string;
  readonly document?: string;
}

/** The presentity's agent, as the lifecycle of a dialog needs it. */
export interface WatcherAgent<S extends PackageState = PresentitySnapshot> {
  /**
   * Records or refreshes the watcher (RFC 6665 §4.2.1); resolves with the
   * agent's authorization decision and the current state. `body`: the initial
   * SUBSCRIBE's, for packages that read one (xcap-diff).
   */
  subscribe(fields: Omit<SubscribeCommand, 'v' | 'type'>, body?: string): Promise<SubscriptionDecision<S>>;
  /** Best effort: the agent's own expiry sweep is the backstop. */
  unsubscribe(presentity: string, subscriptionId: string, reason: UnsubscribeReason): Promise<void>;
  fetchStates(presentities: readonly string[]): Promise<readonly S[]>;
}

/**
 * What the agent decided for a watcher (SubscribedReply): its status, why it
 * ended, its view, the package's state. Only presence is subject to
 * pres-rules (RFC 5025); the other packages admit only the presentity itself
 * and answer `authorized(state)`.
 */
export type SubscriptionDecision<S extends PackageState = PresentitySnapshot> = Pick<SubscribedReply, 'status' | 'reason' | 'viewKey'> & { readonly state: S };

/** The decision of a package without pres-rules: active, the whole state. */
export function authorized<S extends PackageState>(state: S): SubscriptionDecision<S> {
  return { status: 'active', state };
}

/** This edge's hold on presentities' change events (egress/presentity-interest.ts). */
export interface InterestHold<S extends PackageState = PresentitySnapshot> {
  acquire(presentity: string): void;
  release(presentity: string): void;
  /** Records a state newer than the one held. */
  apply(snapshot: S): boolean;
}

/**
 * One event package served here (RFC 6665 §7: presence, presence.winfo):
 * where its state comes from, how this edge follows it, how its NOTIFYs are
 * sent. The dialog lifecycle (create, refresh, adopt, expire, caps, mirror)
 * is the same for every package and lives in the registry.
 */
export interface EventPackage<S extends PackageState = PresentitySnapshot> {
  readonly agent: WatcherAgent<S>;
  readonly interest: InterestHold<S>;
  readonly notifier: DialogNotifier;
}

/** NOTIFYs of the dialogs held here (egress/notifier.ts). */
export interface DialogNotifier {
  /** Subscription created or refreshed: RFC 6665 §4.2.1 requires an immediate NOTIFY. */
  notifyNow(dialog: WatcherDialog): void;
  /** The watched state changed: a paced, coalesced NOTIFY. */
  stateChanged(dialog: WatcherDialog): void;
  /** The dialog was shown another view (its rules changed): a paced NOTIFY with it, polite-block's offline document included. */
  viewChanged?(dialog: WatcherDialog): void;
  /** The final NOTIFY, with the state the package's interest holds; never rejects. */
  notifyTerminated(dialog: WatcherDialog, reason: TerminationReason): Promise<void>;
  /** Nothing more is sent for the dialog (pending pacing dropped). */
  cancel(dialog: WatcherDialog): void;
  /** The dialog ended without a final NOTIFY (it failed): drop what was kept for its bodies. */
  forget(dialog: WatcherDialog): void;
  /**
   * The watcher's controls from its SUBSCRIBE, once the dialog shows its
   * current view (RFC 6446 rates for `expiresSeconds`, RFC 5839 condition);
   * true when the condition holds. A package without them ignores them.
   */
  applyControls?(dialog: WatcherDialog, controls: NotifyControls, expiresSeconds: number): boolean;
}
