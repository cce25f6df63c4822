import type { PresentitySnapshot, SubscribeCommand, SubscribedReply } from '@presence/contracts';
import type { TerminationReason } from '@presence/core';
import type { WatcherDialog } from './watcher-dialog.js';

/*
 * The doors out of subscriptions/ (SIP.js delegate habit): subscriptions owns
 * these interfaces and imports neither ingress/ nor egress/; edge.ts hands it
 * the objects that implement them.
 */

/** The presentity's agent, as the lifecycle of a dialog needs it. */
export interface WatcherAgent {
  /** Records or refreshes the watcher (RFC 6665 §4.2.1); resolves with the agent's authorization decision and the current state. */
  subscribe(fields: Omit<SubscribeCommand, 'v' | 'type'>): Promise<SubscriptionDecision>;
  /** Best effort: the agent's own expiry sweep is the backstop. */
  unsubscribe(presentity: string, subscriptionId: string): Promise<void>;
  fetchStates(presentities: readonly string[]): Promise<readonly PresentitySnapshot[]>;
}

/** What the agent decided for a watcher (SubscribedReply): its status, why it ended, its view, the presentity's state. */
export type SubscriptionDecision = Pick<SubscribedReply, 'status' | 'reason' | 'viewKey' | 'state'>;

/** This edge's hold on presentities' change events (egress/presentity-interest.ts). */
export interface InterestHold {
  acquire(presentity: string): void;
  release(presentity: string): void;
  /** Records a state newer than the one held. */
  apply(snapshot: PresentitySnapshot): boolean;
}

/** NOTIFYs of the dialogs held here (egress/notifier.ts). */
export interface DialogNotifier {
  /** Subscription created or refreshed: RFC 6665 §4.2.1 requires an immediate NOTIFY. */
  notifyNow(dialog: WatcherDialog): void;
  /** The watched state changed: a paced, coalesced NOTIFY. */
  stateChanged(dialog: WatcherDialog): void;
  /** The final NOTIFY; never rejects. */
  notifyTerminated(dialog: WatcherDialog, reason: TerminationReason): Promise<void>;
  /** Nothing more is sent for the dialog (pending pacing dropped). */
  cancel(dialog: WatcherDialog): void;
}
