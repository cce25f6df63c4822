import { POLITE_BLOCK_VIEW } from '@presence/contracts';
import type { TerminationReason, TimerClock } from '@presence/core';
import { subscriptionStateHeader } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import type { OutgoingRequest, SendTarget, SipResponse } from '@presence/sip';
import type { NotifyBodies } from './notify-bodies.js';
import { notifyRequest } from './notify-request.js';
import type { WatcherDialog } from '../subscriptions/index.js';

export interface NotifySender {
  sendRequest(request: OutgoingRequest, target: SendTarget): Promise<SipResponse>;
}

export interface NotifierDeps {
  readonly sender: NotifySender;
  /** The event package's bodies (presence documents, watcherinfo documents). */
  readonly bodies: NotifyBodies;
  readonly clock: TimerClock;
  /** Per-watcher minimum gap between NOTIFYs (RFC 6446 / RFC 3856 §6.10); 0 = off. */
  readonly minIntervalMs: number;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
}

/** Who hears of a NOTIFY that failed for good (the subscriptions that hold the dialog). */
export interface NotifierDelegate {
  /** A final failure that ends the subscription (RFC 6665 §4.2.2: 481, Timer F, unreachable). */
  onNotifyFailed(dialog: WatcherDialog, status: number): void;
}

/** The status a NOTIFY we could not build or hand to the stack counts as: a transport failure. */
const NOT_SENT = 503;

/**
 * Sends the NOTIFYs of the dialogs this edge holds. Per dialog: one NOTIFY
 * in flight at a time, at most one per `minIntervalMs`, and changes arriving
 * meanwhile are coalesced — the NOTIFY that finally goes carries the latest
 * state, never a queue of stale ones. Failures that end the subscription
 * (RFC 6665 §4.2.2: 481, Timer F, unreachable) are handed to `onFailure`;
 * a NOTIFY that cannot even be built or sent is one of them, never an
 * unhandled rejection.
 */
export class Notifier {
  /** Set once while wiring (edge.ts): the notifier is built before the subscriptions it reports to. */
  delegate: NotifierDelegate | undefined;

  constructor(private readonly deps: NotifierDeps) {}

  /**
   * The watched state changed: notify when the rate limit and the outstanding
   * NOTIFY allow. A pending watcher learns nothing of it (RFC 3856 §6.6), and
   * a politely blocked one sees what an offline presentity's watchers see:
   * no NOTIFY at all (RFC 5025 §3.2.1).
   */
  stateChanged(dialog: WatcherDialog): void {
    if (dialog.terminated || dialog.pending || dialog.viewKey === POLITE_BLOCK_VIEW) return;
    // A watcher's filter may hold the change back (RFC 4661 triggers); only watchers that sent one are asked.
    if (dialog.filter !== undefined && this.deps.bodies.wants?.(dialog) === false) return;
    if (dialog.dirty) {
      this.deps.metrics.notifiesCoalesced.inc();
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

  /**
   * The final NOTIFY (terminated), sent regardless of rate limit; the dialog
   * (already ended by its state machine) sends nothing after it. It carries
   * the package's current state (for presence, the watcher's view of it),
   * except to a watcher who was never authorized or is ended by the rules
   * (rejected, deactivated): no state.
   */
  async notifyTerminated(dialog: WatcherDialog, reason: TerminationReason): Promise<void> {
    this.cancel(dialog);
    const state = subscriptionStateHeader({ status: 'terminated', expiresAt: dialog.expiresAt, reason }, this.deps.clock.now());
    const body = dialog.pending || reason === 'rejected' || reason === 'deactivated' ? '' : this.deps.bodies.final(dialog);
    this.deps.bodies.forget(dialog);
    this.count(await this.send(dialog, state, body));
  }

  cancel(dialog: WatcherDialog): void {
    this.stopPacingTimer(dialog);
    dialog.dirty = false;
  }

  forget(dialog: WatcherDialog): void {
    this.deps.bodies.forget(dialog);
  }

  private pump(dialog: WatcherDialog): void {
    const pacing = dialog.pacing;
    if (!dialog.dirty || dialog.inFlight || dialog.terminated || pacing?.timer) return;
    if (pacing !== undefined) {
      const waitMs = pacing.lastNotifyAt + this.deps.minIntervalMs - this.deps.clock.now();
      if (waitMs > 0) {
        pacing.timer = this.deps.clock.setTimer(() => {
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
    this.deps.clock.clearTimer(dialog.pacing.timer);
    dialog.pacing.timer = undefined;
  }

  private transmit(dialog: WatcherDialog): void {
    if (dialog.pending) {
      this.transmitPending(dialog);
      return;
    }
    const watched = this.deps.bodies.next(dialog);
    if (!watched) {
      this.deps.metrics.notifiesDropped.inc({ reason: 'no_state' });
      dialog.dirty = false;
      return;
    }
    const now = this.deps.clock.now();
    dialog.dirty = false;
    dialog.inFlight = true;
    // Without a minimum interval there is nothing to pace: no per-dialog state for it.
    if (this.deps.minIntervalMs > 0) (dialog.pacing ??= { lastNotifyAt: now, timer: undefined }).lastNotifyAt = now;
    if (watched.changedAt > 0) this.deps.metrics.publishToNotifySeconds.observe(Math.max(0, now - watched.changedAt) / 1000);
    const state = subscriptionStateHeader({ status: 'active', expiresAt: dialog.expiresAt }, now);
    this.sendAndPump(dialog, state, watched.body, watched.headers);
  }

  /** RFC 6665 §4.2.1 / RFC 3856 §6.6: the NOTIFY of a pending subscription says so and carries no state. */
  private transmitPending(dialog: WatcherDialog): void {
    dialog.dirty = false;
    dialog.inFlight = true;
    this.sendAndPump(dialog, subscriptionStateHeader({ status: 'pending', expiresAt: dialog.expiresAt }, this.deps.clock.now()), '');
  }

  private sendAndPump(dialog: WatcherDialog, state: string, body: string | Uint8Array, headers?: Readonly<Record<string, string>>): void {
    this.send(dialog, state, body, headers)
      .then((status) => {
        dialog.inFlight = false;
        this.count(status);
        if (dialog.terminated) return;
        if (status >= 300 && status !== 491) {
          this.delegate?.onNotifyFailed(dialog, status);
          return;
        }
        if (status === 491) dialog.dirty = true;
        this.pump(dialog);
      })
      .catch((error: unknown) => this.internalError(error, dialog, 'after a NOTIFY response'));
  }

  /** Sends one NOTIFY and resolves with its final status; never rejects (a NOTIFY not sent is NOT_SENT). */
  private async send(dialog: WatcherDialog, subscriptionState: string, body: string | Uint8Array, headers?: Readonly<Record<string, string>>): Promise<number> {
    try {
      dialog.localCseq += 1;
      const request = notifyRequest(dialog, subscriptionState, body, this.deps.bodies.contentType, headers);
      const response = await this.deps.sender.sendRequest(request, { flow: dialog.flow, uri: dialog.remoteTarget });
      return response.status;
    } catch (error) {
      this.internalError(error, dialog, 'NOTIFY not sent: ending the subscription');
      return NOT_SENT;
    }
  }

  private internalError(error: unknown, dialog: WatcherDialog, message: string): void {
    this.deps.metrics.internalErrors.inc({ source: 'notify' });
    this.deps.logger.error({ err: error, dialog: dialog.id }, message);
  }

  private count(status: number): void {
    const result = status < 300 ? 'ok' : status === 408 ? 'timeout' : status === 503 ? 'failed' : 'rejected';
    this.deps.metrics.notifiesSent.inc({ result });
  }
}
