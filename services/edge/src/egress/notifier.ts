import { POLITE_BLOCK_VIEW } from '@presence/contracts';
import type { TerminationReason, TimerClock } from '@presence/core';
import { parseRateControl, subscriptionStateHeader } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import type { OutgoingRequest, SendTarget, SipResponse } from '@presence/sip';
import type { NotifyBodies } from './notify-bodies.js';
import { applyCondition, applyRates, type RatePolicy } from './notify-controls.js';
import { notifyRequest } from './notify-request.js';
import { eventPackageOf, type NotifyControls, type NotifyPacing, type WatcherDialog } from '../subscriptions/index.js';

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
  /** The shortest keep-alive period a watcher's min-rate or adaptive-min-rate gets (RFC 6446 §6.3, §7.3); default 5 s. */
  readonly keepAliveMinIntervalMs?: number;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
}

/** Who hears of a NOTIFY that failed for good (the subscriptions that hold the dialog). */
export interface NotifierDelegate {
  /** A final failure that ends the subscription (RFC 6665 §4.2.2: 481, Timer F, unreachable). */
  onNotifyFailed(dialog: WatcherDialog, status: number): void;
}

/** RFC 6446 keep-alives no more often than this unless the operator says otherwise (--notify-keepalive-min-interval). */
export const DEFAULT_KEEPALIVE_MIN_INTERVAL_MS = 5000;

/** The Subscription-State parameters reflecting a watcher's negotiated rates (RFC 6446 §5.2, §6.2, §7.2); '' when it has none. */
function rateParameters(pacing: NotifyPacing | undefined): string {
  return pacing?.rates?.parameters ?? '';
}

/** A NOTIFY went (or was suppressed in the watcher's stead): the gap and the keep-alive count from now, the adaptive count grows. */
function markSent(pacing: NotifyPacing | undefined, now: number): void {
  if (pacing === undefined) return;
  pacing.lastNotifyAt = now;
  pacing.rates?.sent(now);
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
 *
 * A watcher may ask for more (RFC 6446 rates, RFC 5839 conditions: see
 * notify-controls.ts); its pacing then also holds its negotiated rates, and
 * the same timer doubles as its keep-alive while nothing is waiting.
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
    // A new version is a new entity: the entity-tag the watcher holds is stale now (RFC 5839 §6.1), even when
    // its filter holds the NOTIFY back (the filtered document's tag moves with the version too).
    if (dialog.condition === 'match') dialog.condition = 'none';
    // A watcher's filter may hold the change back (RFC 4661 triggers); only watchers that sent one are asked.
    if (dialog.filter !== undefined && this.deps.bodies.wants?.(dialog) === false) return;
    if (dialog.dirty) {
      this.deps.metrics.notifiesCoalesced.inc();
      return;
    }
    dialog.dirty = true;
    this.pump(dialog);
  }

  /**
   * An active watcher was shown another view: a NOTIFY with it, paced like a
   * change (RFC 6446 §5.2 exempts only SUBSCRIBE, pending to active and the
   * end), including the offline document of a watcher now politely blocked.
   */
  viewChanged(dialog: WatcherDialog): void {
    if (dialog.terminated) return;
    dialog.dirty = true;
    this.pump(dialog);
  }

  /** Subscription created or refreshed: RFC 6665 §4.2.1 requires an immediate NOTIFY. */
  notifyNow(dialog: WatcherDialog): void {
    dialog.dirty = true;
    this.stopPacingTimer(dialog);
    if (!dialog.inFlight) this.transmit(dialog, true);
  }

  /** RFC 6446 rates and the RFC 5839 condition of the dialog's latest SUBSCRIBE; true when the condition holds. */
  applyControls(dialog: WatcherDialog, controls: NotifyControls, expiresSeconds: number): boolean {
    if (dialog.pacing?.keepAlive) this.stopPacingTimer(dialog);
    applyRates(dialog, controls, expiresSeconds, this.ratePolicy(), this.deps.clock);
    const holds = applyCondition(dialog, controls, this.deps.bodies);
    // A refresh answered 204 sends nothing: the keep-alive restarts from the new rates.
    this.pump(dialog);
    return holds;
  }

  /**
   * The final NOTIFY (terminated), sent regardless of rate limit; the dialog
   * (already ended by its state machine) sends nothing after it. It carries
   * the package's current state (for presence, the watcher's view of it),
   * except to a watcher who was never authorized or is ended by the rules
   * (rejected, deactivated), or whose resource is gone (noresource): no state.
   */
  async notifyTerminated(dialog: WatcherDialog, reason: TerminationReason): Promise<void> {
    this.cancel(dialog);
    const state = subscriptionStateHeader({ status: 'terminated', expiresAt: dialog.expiresAt, reason }, this.deps.clock.now()) + rateParameters(dialog.pacing);
    const withState = !(dialog.pending || reason === 'rejected' || reason === 'deactivated' || reason === 'noresource');
    const etag = withState ? this.deps.bodies.entityTag?.(dialog) : undefined;
    // RFC 5839 §6.2: the termination is reportable, so the NOTIFY goes; a condition that holds only drops its body.
    const final = withState && dialog.condition === 'none' ? this.deps.bodies.final(dialog) : '';
    this.deps.bodies.forget(dialog);
    const { body, headers } = typeof final === 'string' || final instanceof Uint8Array ? { body: final, headers: undefined } : final;
    this.count(await this.send(dialog, state, body, etag, headers));
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
    if (dialog.inFlight || dialog.terminated) return;
    if (pacing?.timer) {
      // A change while only a keep-alive is armed: it is the change's turn now.
      if (!dialog.dirty || !pacing.keepAlive) return;
      this.stopPacingTimer(dialog);
    }
    if (!dialog.dirty) {
      if (pacing?.rates !== undefined) this.armKeepAlive(dialog, pacing);
      return;
    }
    if (pacing !== undefined) {
      const waitMs = pacing.lastNotifyAt + Math.max(this.deps.minIntervalMs, pacing.rates?.minGapMs ?? 0) - this.deps.clock.now();
      if (waitMs > 0) {
        this.arm(dialog, pacing, waitMs, false);
        return;
      }
    }
    this.transmit(dialog, false);
  }

  /** RFC 6446 §6.2, §7.2: with nothing to send, the next NOTIFY is due when the time since the last one reaches the keep-alive period. */
  private armKeepAlive(dialog: WatcherDialog, pacing: NotifyPacing): void {
    const now = this.deps.clock.now();
    const delayMs = pacing.rates?.keepAliveDelayMs(now);
    if (delayMs === undefined) return;
    // Never sooner than max-rate and the server allow (equation (1) of §7.4 reaches 0 after a quiet period).
    const floorMs = Math.max(1, this.deps.minIntervalMs, pacing.rates?.minGapMs ?? 0);
    this.arm(dialog, pacing, Math.max(0, pacing.lastNotifyAt + Math.max(delayMs, floorMs) - now), true);
  }

  private arm(dialog: WatcherDialog, pacing: NotifyPacing, waitMs: number, keepAlive: boolean): void {
    pacing.keepAlive = keepAlive;
    pacing.timer = this.deps.clock.setTimer(() => {
      pacing.timer = undefined;
      if (keepAlive) dialog.dirty = true;
      this.pump(dialog);
    }, waitMs);
  }

  private stopPacingTimer(dialog: WatcherDialog): void {
    if (dialog.pacing === undefined) return;
    this.deps.clock.clearTimer(dialog.pacing.timer);
    dialog.pacing.timer = undefined;
  }

  /**
   * `reportable`: the NOTIFY answers a SUBSCRIBE or a status change, so it
   * goes even while the watcher's RFC 5839 condition holds, without a body
   * (§6.2); any other NOTIFY the condition suppresses whole (§6.3).
   */
  private transmit(dialog: WatcherDialog, reportable: boolean): void {
    if (dialog.pending) {
      this.transmitPending(dialog);
      return;
    }
    const suppressed = dialog.condition !== 'none';
    // A body the condition drops is not rendered: a partial watcher's version and basis stay where the watcher is.
    const watched = this.deps.bodies.next(dialog, suppressed);
    if (!watched) {
      this.deps.metrics.notifiesDropped.inc({ reason: 'no_state' });
      dialog.dirty = false;
      return;
    }
    const now = this.deps.clock.now();
    dialog.dirty = false;
    if (suppressed && !reportable) {
      this.deps.metrics.notifiesDropped.inc({ reason: 'unchanged' });
      // Counted as sent: the watcher said it holds this state, and an adaptive timeout must not shrink to nothing meanwhile.
      markSent(dialog.pacing, now);
      this.pump(dialog);
      return;
    }
    dialog.inFlight = true;
    // Without a minimum interval or negotiated rates there is nothing to pace: no per-dialog state for it.
    if (this.deps.minIntervalMs > 0) dialog.pacing ??= { lastNotifyAt: now, timer: undefined };
    markSent(dialog.pacing, now);
    if (watched.changedAt > 0 && !suppressed) this.deps.metrics.publishToNotifySeconds.observe(Math.max(0, now - watched.changedAt) / 1000);
    const state = subscriptionStateHeader({ status: 'active', expiresAt: dialog.expiresAt }, now) + rateParameters(dialog.pacing);
    this.sendAndPump(dialog, state, suppressed ? '' : watched.body, watched.etag, watched.headers);
  }

  /** RFC 6665 §4.2.1 / RFC 3856 §6.6: the NOTIFY of a pending subscription says so and carries no state. */
  private transmitPending(dialog: WatcherDialog): void {
    dialog.dirty = false;
    dialog.inFlight = true;
    const now = this.deps.clock.now();
    markSent(dialog.pacing, now);
    this.sendAndPump(dialog, subscriptionStateHeader({ status: 'pending', expiresAt: dialog.expiresAt }, now) + rateParameters(dialog.pacing), '');
  }

  private sendAndPump(dialog: WatcherDialog, state: string, body: string | Uint8Array, etag?: string, headers?: Readonly<Record<string, string>>): void {
    this.send(dialog, state, body, etag, headers)
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
  private async send(dialog: WatcherDialog, subscriptionState: string, body: string | Uint8Array, etag?: string, headers?: Readonly<Record<string, string>>): Promise<number> {
    try {
      dialog.localCseq += 1;
      const { bodies } = this.deps;
      const request = notifyRequest(dialog, subscriptionState, body, bodies.contentTypeOf?.(dialog) ?? bodies.contentType, etag, headers);
      const response = await this.deps.sender.sendRequest(request, { flow: dialog.flow, uri: dialog.remoteTarget });
      if (response.status < 300 && dialog.pacing?.rates !== undefined) this.ratesFromAnswer(dialog, response);
      return response.status;
    } catch (error) {
      this.internalError(error, dialog, 'NOTIFY not sent: ending the subscription');
      return NOT_SENT;
    }
  }

  /**
   * RFC 6446 §9.3: a watcher with negotiated rates may restate them all in
   * the Event of its 2xx to a NOTIFY (none given: removed). A response cannot
   * be refused, so one naming another package or a malformed rate changes
   * nothing.
   */
  private ratesFromAnswer(dialog: WatcherDialog, response: SipResponse): void {
    const event = response.header('event');
    if (event === undefined || eventPackageOf(event) !== eventPackageOf(dialog.event)) return;
    let rates: NotifyControls['rates'];
    try {
      rates = parseRateControl(event);
    } catch {
      return;
    }
    const now = this.deps.clock.now();
    applyRates(dialog, rates === undefined ? {} : { rates }, Math.max(1, Math.ceil((dialog.expiresAt - now) / 1000)), this.ratePolicy(), this.deps.clock);
  }

  private ratePolicy(): RatePolicy {
    return { minIntervalMs: this.deps.minIntervalMs, keepAliveMinIntervalMs: this.deps.keepAliveMinIntervalMs ?? DEFAULT_KEEPALIVE_MIN_INTERVAL_MS };
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
