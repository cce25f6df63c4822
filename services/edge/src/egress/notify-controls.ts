import { negotiateRates, RateSchedule, type TimerClock } from '@presence/core';
import type { NotifyControls, WatcherDialog } from '../subscriptions/index.js';
import type { NotifyBodies } from './notify-bodies.js';

export interface RatePolicy {
  /** The server's minimum gap between NOTIFYs (--notify-min-interval), ms; 0 = none. */
  readonly minIntervalMs: number;
  /** The shortest keep-alive period honoured (--notify-keepalive-min-interval), ms. */
  readonly keepAliveMinIntervalMs: number;
}

/**
 * RFC 6446: the rates a SUBSCRIBE asked for, negotiated against the server's
 * policy and the granted duration, held in the dialog's pacing (allocated
 * only for a watcher that asked). A SUBSCRIBE without them removes the
 * previous ones (§5.1, §6.1, §7.1).
 */
export function applyRates(dialog: WatcherDialog, controls: NotifyControls, expiresSeconds: number, policy: RatePolicy, clock: TimerClock): void {
  if (controls.rates === undefined) {
    if (dialog.pacing?.rates !== undefined) dialog.pacing.rates = undefined;
    return;
  }
  const rates = negotiateRates(controls.rates, {
    policyMaxRate: policy.minIntervalMs > 0 ? 1000 / policy.minIntervalMs : undefined,
    keepAliveMaxRate: 1000 / Math.max(1, policy.keepAliveMinIntervalMs),
    expiresSeconds,
  });
  const now = clock.now();
  // A dialog never notified yet has no gap to keep: lastNotifyAt 0 lets the first NOTIFY go at once.
  (dialog.pacing ??= { lastNotifyAt: 0, timer: undefined }).rates = new RateSchedule(rates, now);
}

/**
 * RFC 5839 §6.2, §6.3: whether the Suppress-If-Match of the SUBSCRIBE holds
 * ("*", or the entity-tag of the state the dialog would be sent now), kept on
 * the dialog until its next SUBSCRIBE or a change of its state. A package
 * that issues no entity-tags ignores the header, as an unaware notifier does
 * (§5.1).
 */
export function applyCondition(dialog: WatcherDialog, controls: NotifyControls, bodies: NotifyBodies): boolean {
  const tag = controls.suppressIfMatch;
  if (tag === undefined || bodies.entityTag === undefined) {
    dialog.condition = 'none';
    return false;
  }
  dialog.condition = tag === '*' ? 'any' : !dialog.pending && tag === bodies.entityTag(dialog) ? 'match' : 'none';
  return dialog.condition !== 'none';
}
