import type { PresentitySnapshot } from '@presence/contracts';
import type { Clock, DialogStore, TerminationReason } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import { DialogTable } from './dialog-table.js';
import { ExpiryQueue } from './expiry-queue.js';
import type { Notifier } from './notifier.js';
import type { PresentityInterest } from './presentity-interest.js';
import { fromDialogRecord, toDialogRecord, type WatcherDialog } from './watcher-dialog.js';

/** Expirations handled per timer run, so a wave of lapses cannot stall the event loop. */
const EXPIRY_BATCH = 2000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SubscriptionRegistryDeps {
  readonly interest: PresentityInterest;
  readonly notifier: Notifier;
  readonly dialogs: DialogStore;
  readonly clock: Clock;
  readonly edgeId: string;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  /** Tells the agent a watcher is gone (best effort: its own expiry sweep is the backstop). */
  readonly forgetWatcher: (dialog: WatcherDialog) => Promise<void>;
}

/**
 * The subscription dialogs this edge holds: lifecycle (activate, refresh,
 * terminate), expiry from one timer over a deadline queue, the mirror in the
 * dialog store, and fan-out of presentity changes to the dialogs watching it.
 */
export class SubscriptionRegistry {
  private readonly table = new DialogTable();
  /** Dialogs by expiry: one timer at the earliest, no timer per dialog. */
  private readonly deadlines = new ExpiryQueue<WatcherDialog>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly deps: SubscriptionRegistryDeps) {}

  get size(): number {
    return this.table.size;
  }

  find(id: string): WatcherDialog | undefined {
    return this.table.get(id);
  }

  /**
   * Runs `work` (which asks the agent for the state) while holding interest in
   * the presentity, so changes committed meanwhile are not missed; the hold
   * passes to the dialog if `work` activates one, and is released otherwise.
   */
  async withInterest<T>(presentity: string, work: () => Promise<T>): Promise<T> {
    this.deps.interest.acquire(presentity);
    try {
      return await work();
    } finally {
      this.deps.interest.release(presentity);
    }
  }

  /** A dialog mirrored by another edge (or before a restart): take it over on this flow. */
  async adopt(id: string, flow: string, localContact: string, snapshotOf: (presentity: string) => Promise<PresentitySnapshot>): Promise<WatcherDialog | undefined> {
    const record = await this.deps.dialogs.loadDialog(id);
    if (!record || record.status === 'terminated' || record.expiresAt <= this.deps.clock.now()) return undefined;
    const dialog = fromDialogRecord(record, flow, localContact);
    await this.withInterest(dialog.presentity, async () => this.activate(dialog, await snapshotOf(dialog.presentity)));
    return dialog;
  }

  /** Starts holding a new (or adopted) dialog, inside withInterest; the caller answers 200 and then calls notifyNow. */
  async activate(dialog: WatcherDialog, snapshot: PresentitySnapshot): Promise<void> {
    await this.deps.dialogs.saveDialog(toDialogRecord(dialog, this.deps.edgeId));
    this.deps.interest.acquire(dialog.presentity);
    this.deps.interest.apply(snapshot);
    this.table.add(dialog);
    this.schedule(dialog);
    this.deps.metrics.activeSubscriptions.set(this.table.size);
  }

  /** The new expiry takes effect once mirrored; until then (or if that fails) the dialog keeps the old one. */
  async refresh(dialog: WatcherDialog, expiresAt: number, snapshot: PresentitySnapshot): Promise<void> {
    await this.deps.dialogs.saveDialog({ ...toDialogRecord(dialog, this.deps.edgeId), expiresAt });
    this.deps.interest.apply(snapshot);
    // Together: the queue orders dialogs by the expiresAt they carry.
    dialog.expiresAt = expiresAt;
    this.schedule(dialog);
  }

  /** RFC 6665 §4.4.3: the one NOTIFY of a fetch, from a dialog that is never held. */
  async notifyFetch(dialog: WatcherDialog, document: string): Promise<void> {
    await this.deps.notifier.notifyTerminated(dialog, 'timeout', document);
  }

  notifyNow(dialog: WatcherDialog): void {
    this.deps.notifier.notifyNow(dialog);
  }

  /** Ends a dialog: optional final NOTIFY, state freed here, in the mirror and at the agent. */
  async terminate(dialog: WatcherDialog, options: { reason?: TerminationReason; document?: string; forget: boolean }): Promise<void> {
    if (!this.table.get(dialog.id)) return;
    this.deadlines.delete(dialog);
    this.deps.notifier.cancel(dialog);
    dialog.terminated = true;
    this.table.remove(dialog);
    this.deps.interest.release(dialog.presentity);
    this.deps.metrics.activeSubscriptions.set(this.table.size);
    const work: Promise<unknown>[] = [this.deps.dialogs.deleteDialog(dialog.id)];
    if (options.forget) work.push(this.deps.forgetWatcher(dialog));
    if (options.reason) work.push(this.deps.notifier.notifyTerminated(dialog, options.reason, options.document));
    const failures = (await Promise.allSettled(work)).filter((r) => r.status === 'rejected');
    for (const failure of failures) this.deps.logger.warn({ err: (failure as PromiseRejectedResult).reason, dialog: dialog.id }, 'cleanup after subscription end failed');
  }

  /** terminate() for callers that do not wait: a failure of its own is logged and counted, never left unhandled. */
  terminateInBackground(dialog: WatcherDialog, options: { reason?: TerminationReason; forget: boolean }): void {
    this.terminate(dialog, options).catch((error: unknown) => {
      this.deps.metrics.internalErrors.inc({ source: 'subscription_end' });
      this.deps.logger.error({ err: error, dialog: dialog.id }, 'ending a subscription failed');
    });
  }

  /** A presentity this edge watches changed: every local watcher gets (rate-limited) word of it. */
  presentityChanged(presentity: string): void {
    for (const dialog of this.table.watchersOf(presentity)) this.deps.notifier.stateChanged(dialog);
  }

  /** Stops timers; dialogs stay mirrored so a restarted or other edge can adopt them. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const dialog of this.table.all()) this.deps.notifier.cancel(dialog);
  }

  private schedule(dialog: WatcherDialog): void {
    this.deadlines.set(dialog);
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.deadlines.peek()?.expiresAt;
    if (next === undefined || next >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.expireDue(), Math.min(MAX_TIMER_MS, Math.max(0, next - this.deps.clock.now())));
  }

  /** RFC 6665 §4.2.2: a subscription not refreshed in time ends with terminated;reason=timeout. */
  private expireDue(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.deps.clock.now();
    for (let handled = 0; handled < EXPIRY_BATCH; handled++) {
      const dialog = this.deadlines.peek();
      if (dialog === undefined || dialog.expiresAt > now) break;
      this.deadlines.delete(dialog);
      if (this.table.get(dialog.id) !== dialog) continue;
      this.deps.metrics.expirySweeps.inc({ kind: 'subscription' });
      this.terminateInBackground(dialog, { reason: 'timeout', forget: true });
    }
    this.arm();
  }
}
