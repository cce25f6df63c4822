import type { Clock, TerminationReason } from '@presence/core';
import { subscriptionStateHeader } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { OutgoingRequest, SendTarget, SipResponse } from '@presence/sip';
import { notifyRequest } from './notify-request.js';
import type { PresentityInterest } from './presentity-interest.js';
import type { WatcherDialog } from './watcher-dialog.js';

export interface NotifySender {
  sendRequest(request: OutgoingRequest, target: SendTarget): Promise<SipResponse>;
}

export interface NotifierOptions {
  /** Per-watcher minimum gap between NOTIFYs (RFC 6446 / RFC 3856 §6.10); 0 = off. */
  readonly minIntervalMs: number;
}

/**
 * Sends the NOTIFYs of the dialogs this edge holds. Per dialog: one NOTIFY
 * in flight at a time, at most one per `minIntervalMs`, and changes arriving
 * meanwhile are coalesced — the NOTIFY that finally goes carries the latest
 * state, never a queue of stale ones. Failures that end the subscription
 * (RFC 6665 §4.2.2: 481, Timer F, unreachable) are handed to `onFailure`.
 */
export class Notifier {
  constructor(
    private readonly sender: NotifySender,
    private readonly interest: PresentityInterest,
    private readonly clock: Clock,
    private readonly options: NotifierOptions,
    private readonly metrics: PresenceMetrics,
    private readonly onFailure: (dialog: WatcherDialog, status: number) => void,
  ) {}

  /** The watched state changed: notify when the rate limit and the outstanding NOTIFY allow. */
  stateChanged(dialog: WatcherDialog): void {
    if (dialog.terminated) return;
    if (dialog.dirty) {
      this.metrics.notifiesCoalesced.inc();
      return;
    }
    dialog.dirty = true;
    this.pump(dialog);
  }

  /** Subscription created or refreshed: RFC 6665 §4.2.1 requires an immediate NOTIFY. */
  notifyNow(dialog: WatcherDialog): void {
    dialog.dirty = true;
    this.stopPacingTimer(dialog);
    if (!dialog.inFlight) this.transmit(dialog);
  }

  /** The final NOTIFY (terminated), sent regardless of rate limit; the dialog sends nothing after it. */
  async notifyTerminated(dialog: WatcherDialog, reason: TerminationReason, document?: string): Promise<void> {
    this.cancel(dialog);
    dialog.terminated = true;
    const state = subscriptionStateHeader({ status: 'terminated', expiresAt: dialog.expiresAt, reason }, this.clock.now());
    const body = document ?? this.interest.current(dialog.presentity)?.body ?? '';
    const response = await this.send(dialog, state, body);
    this.count(response.status);
  }

  cancel(dialog: WatcherDialog): void {
    this.stopPacingTimer(dialog);
    dialog.dirty = false;
  }

  private pump(dialog: WatcherDialog): void {
    const pacing = dialog.pacing;
    if (!dialog.dirty || dialog.inFlight || dialog.terminated || pacing?.timer) return;
    if (pacing !== undefined) {
      const waitMs = pacing.lastNotifyAt + this.options.minIntervalMs - this.clock.now();
      if (waitMs > 0) {
        pacing.timer = setTimeout(() => {
          pacing.timer = undefined;
          this.pump(dialog);
        }, waitMs);
        return;
      }
    }
    this.transmit(dialog);
  }

  private stopPacingTimer(dialog: WatcherDialog): void {
    if (dialog.pacing === undefined) return;
    clearTimeout(dialog.pacing.timer);
    dialog.pacing.timer = undefined;
  }

  private transmit(dialog: WatcherDialog): void {
    const watched = this.interest.current(dialog.presentity);
    if (!watched) {
      this.metrics.notifiesDropped.inc({ reason: 'no_state' });
      dialog.dirty = false;
      return;
    }
    const now = this.clock.now();
    dialog.dirty = false;
    dialog.inFlight = true;
    // Without a minimum interval there is nothing to pace: no per-dialog state for it.
    if (this.options.minIntervalMs > 0) (dialog.pacing ??= { lastNotifyAt: now, timer: undefined }).lastNotifyAt = now;
    if (watched.changedAt > 0) this.metrics.publishToNotifySeconds.observe(Math.max(0, now - watched.changedAt) / 1000);
    const state = subscriptionStateHeader({ status: 'active', expiresAt: dialog.expiresAt }, now);
    void this.send(dialog, state, watched.body).then((response) => {
      dialog.inFlight = false;
      this.count(response.status);
      if (dialog.terminated) return;
      if (response.status >= 300 && response.status !== 491) {
        this.onFailure(dialog, response.status);
        return;
      }
      if (response.status === 491) dialog.dirty = true;
      this.pump(dialog);
    });
  }

  private send(dialog: WatcherDialog, subscriptionState: string, body: string | Uint8Array): Promise<SipResponse> {
    dialog.localCseq += 1;
    const request = notifyRequest(dialog, subscriptionState, body);
    return this.sender.sendRequest(request, { flow: dialog.flow, uri: dialog.remoteTarget });
  }

  private count(status: number): void {
    const result = status < 300 ? 'ok' : status === 408 ? 'timeout' : status === 503 ? 'failed' : 'rejected';
    this.metrics.notifiesSent.inc({ result });
  }
}
