import { WHOLE_DOCUMENT_VIEW, type AuthorizationChange, type PresentitySnapshot } from '@presence/contracts';
import {
  BadEventError,
  ForbiddenError,
  negotiateExpires,
  NoSuchSubscriptionError,
  normalizeAor,
  ServerInternalError,
  type DialogStore,
  type ExpiresPolicy,
  type SubscriptionEvent,
  type TimerClock,
} from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { FilterSet } from '@presence/policy';
import type { Logger } from '@presence/runtime';
import { shared } from './compact-string.js';
import { DialogTable } from './dialog-table.js';
import { SubscriptionCaps, type SubscriptionLimits } from './subscription-caps.js';
import type { InDialogSubscribe, InitialSubscribe, NotifyControls, SubscribeAnswer } from './subscribe-request.js';
import type { DialogNotifier, EventPackage, InterestHold, PackageState, SubscriptionDecision, WatcherAgent } from './subscription-delegates.js';
import { SubscriptionExpiry } from './subscription-expiry.js';
import { dialogId, fromDialogRecord, toDialogRecord, WatcherDialog } from './watcher-dialog.js';

/** How a held dialog ends here (RFC 6665 §4.1.3): unsubscribed, lapsed, its NOTIFY failed, the presentity's rules ended it, or its resource is gone. */
type EndEvent = Extract<SubscriptionEvent, { type: 'unsubscribed' | 'expired' | 'notify-failed' | 'rejected' | 'deactivated' | 'gone' }>;

export interface SubscriptionRegistryDeps {
  /** The presence package (RFC 3856): its agent, interest and notifier. */
  readonly agent: WatcherAgent;
  readonly interest: InterestHold;
  readonly notifier: DialogNotifier;
  /** Other event packages served, by package name (presence.winfo). */
  readonly packages?: Readonly<Record<string, EventPackage<PackageState>>>;
  readonly dialogs: DialogStore;
  /** Durations granted to SUBSCRIBE (RFC 6665 §4.2.1.1). */
  readonly policy: ExpiresPolicy;
  readonly clock: TimerClock;
  readonly edgeId: string;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  readonly limits: SubscriptionLimits;
}

/**
 * The subscription dialogs this edge holds: lifecycle (create, refresh,
 * adopt, terminate), expiry from one timer over a deadline queue, the mirror
 * in the dialog store, and fan-out of presentity changes to the dialogs
 * watching it. Ingress hands it SUBSCRIBEs (subscribe-request.ts); it reaches
 * the agent and the NOTIFYs only through subscription-delegates.ts.
 */
export class SubscriptionRegistry {
  /** One table per event package: a presentity's fan-out walks only the dialogs of the package that changed. */
  private readonly tables = new Map<string, DialogTable>();
  private readonly packages: ReadonlyMap<string, EventPackage<PackageState>>;
  /** RFC 6665 §4.2.2: a subscription not refreshed in time ends with terminated;reason=timeout. */
  private readonly expiry: SubscriptionExpiry<WatcherDialog>;
  private readonly caps: SubscriptionCaps;

  constructor(private readonly deps: SubscriptionRegistryDeps) {
    this.caps = new SubscriptionCaps(deps.limits, deps.metrics);
    this.packages = new Map([[PRESENCE_PACKAGE, { agent: deps.agent, interest: deps.interest, notifier: deps.notifier }], ...Object.entries(deps.packages ?? {})]);
    for (const name of this.packages.keys()) this.tables.set(name, new DialogTable());
    this.expiry = new SubscriptionExpiry(deps.clock, (dialog) => this.lapsed(dialog));
  }

  get size(): number {
    let size = 0;
    for (const table of this.tables.values()) size += table.size;
    return size;
  }

  /**
   * Dialogs held pending (RFC 6665 §4.1.3), counted by walking them: read at
   * a scrape only, and a dialog's status changes in its own state machine, so
   * a running count would have to follow every transition to stay true.
   */
  pendingCount(): number {
    let pending = 0;
    for (const table of this.tables.values()) for (const dialog of table.all()) if (dialog.status === 'pending') pending++;
    return pending;
  }

  /** An initial SUBSCRIBE: a new dialog, or a fetch when expires is 0. */
  async subscribe(request: InitialSubscribe, answer: SubscribeAnswer): Promise<void> {
    const expires = negotiateExpires(request.requestedExpires, this.deps.policy);
    // A filter this server cannot hold is refused (488) before the agent records anything.
    const filter = request.filter?.(undefined);
    // Shared: the interest in it, and every dialog watching it, keep this one copy.
    const presentity = shared(request.presentity);
    const id = dialogId(request.callId, request.remoteTag, request.localTag);
    // After the Expires check, as a bad From URI was always judged after it.
    const watcher = normalizeAor(request.remoteUri);
    // A fetch (expires 0) holds nothing, so no cap applies to it.
    const admission = { held: false };
    if (expires > 0) this.caps.admit(watcher, request.source);
    const served = this.packageNamed(request.eventPackage);
    try {
      await this.withInterest(served, presentity, async () => this.create(served, request, id, watcher, expires, answer, admission, filter));
    } finally {
      // Counted from admission; once held, the count is released when the dialog ends (terminate).
      if (expires > 0 && !admission.held) this.caps.release(watcher, request.source);
    }
  }

  /** Asks the agent, then holds the dialog (marking the admission held) and answers, or answers a fetch. */
  private async create(
    served: EventPackage<PackageState>,
    request: InitialSubscribe,
    id: string,
    watcher: string,
    expires: number,
    answer: SubscribeAnswer,
    admission: { held: boolean },
    filter: FilterSet | undefined,
  ): Promise<void> {
    const presentity = shared(request.presentity);
    const decision = await served.agent.subscribe(
      {
        presentity,
        subscriptionId: id,
        watcher,
        event: request.eventPackage,
        expires,
        edgeId: this.deps.edgeId,
        initial: true,
      },
      request.body,
    );
    // The agent answers a block with 403 itself; an agent that reports it as a decision is answered the same way (RFC 3856 §6.6).
    if (decision.status === 'terminated' && decision.reason === 'rejected') throw new ForbiddenError('Subscription rejected by the presentity');
    const dialog = new WatcherDialog(request, { id, presentity, localCseq: Math.floor(Math.random() * 10_000), expiresAt: this.deps.clock.now() + expires * 1000 });
    dialog.startAs(decision.status === 'pending' ? 'pending' : 'active', decision.viewKey ?? WHOLE_DOCUMENT_VIEW);
    dialog.filter = filter;
    if (expires === 0) {
      // RFC 6665 §4.4.3: a fetch gets exactly one NOTIFY, terminated;reason=timeout, and no state is kept.
      answer.accept(dialog, 0);
      const { reason = 'timeout' } = dialog.transition({ type: 'unsubscribed' });
      // Held (withInterest) until this resolves: the final NOTIFY's body is the state the interest holds.
      served.interest.apply(decision.state);
      // RFC 5839 §5.4: a poll whose entity-tag is current gets that NOTIFY without a body.
      served.notifier.applyControls?.(dialog, request.controls ?? NO_CONTROLS, 0);
      await served.notifier.notifyTerminated(dialog, reason);
      return;
    }
    await this.activate(served, dialog, decision.state);
    admission.held = true;
    // RFC 5839 §5.5: resuming with a current entity-tag, the first NOTIFY carries no body.
    served.notifier.applyControls?.(dialog, request.controls ?? NO_CONTROLS, expires);
    answer.accept(dialog, expires);
    served.notifier.notifyNow(dialog);
  }

  /** A SUBSCRIBE inside a dialog held here or mirrored: refresh, or unsubscribe when expires is 0. */
  async resubscribe(request: InDialogSubscribe, answer: SubscribeAnswer): Promise<void> {
    const id = dialogId(request.callId, request.remoteTag, request.localTag);
    const held = this.heldDialog(id);
    if (held) requireWatcher(held.watcher, request.requester);
    const dialog = held ?? (await this.adopt(id, request));
    if (!dialog) throw new NoSuchSubscriptionError('Subscription does not exist');
    // RFC 3261 §12.2.2: a request with a lower CSeq than the last one in the dialog is out of order.
    if (request.remoteCseq <= dialog.remoteCseq) throw new ServerInternalError('Out of order CSeq');
    dialog.remoteCseq = request.remoteCseq;
    dialog.follow(request.flow, request.localContact);
    const expires = negotiateExpires(request.requestedExpires, this.deps.policy);
    // RFC 4660 §3.3.3: a filter document changes the filters by id, none keeps them; refused (488) before anything changes.
    const filter = request.filter === undefined ? dialog.filter : request.filter(dialog.filter);
    const served = this.packageOf(dialog);
    const decision = await served.agent.subscribe({
      presentity: dialog.presentity,
      subscriptionId: id,
      watcher: dialog.watcher,
      event: eventPackageOf(dialog.event),
      expires,
      edgeId: this.deps.edgeId,
    });
    served.interest.apply(decision.state);
    const ended = endedByDecision(dialog, decision);
    if (expires === 0 || ended !== undefined) {
      // RFC 6665 §4.2.1.4: unsubscribing is a refresh to 0; the final NOTIFY carries the current state.
      // A refresh the rules now refuse is still answered 200 (a refused refresh would leave the subscription standing, RFC 6665 §4.1.2.2); the NOTIFY ends it.
      if (ended === undefined) dialog.showView(decision.viewKey ?? WHOLE_DOCUMENT_VIEW);
      // RFC 5839 §5.7: an unsubscribe whose entity-tag is current gets 204, which concludes the subscription without a NOTIFY.
      const quiet = ended === undefined && served.notifier.applyControls?.(dialog, request.controls ?? NO_CONTROLS, 0) === true;
      if (quiet) answer.noNotification(dialog, 0);
      else answer.accept(dialog, expires);
      await this.terminate(dialog, ended ?? { type: 'unsubscribed' }, quiet);
      return;
    }
    const wasPending = dialog.pending;
    // Before the refresh mirrors the dialog: the mirror carries the filters the refresh set.
    dialog.filter = filter;
    await this.refresh(dialog, this.deps.clock.now() + expires * 1000, decision);
    // RFC 5839 §6.3: a refresh whose entity-tag is current gets 204 and no NOTIFY, unless it moved pending to active (a reportable change, §6.2).
    const current = served.notifier.applyControls?.(dialog, request.controls ?? NO_CONTROLS, expires) === true;
    if (current && wasPending === dialog.pending) {
      answer.noNotification(dialog, expires);
      return;
    }
    answer.accept(dialog, expires);
    served.notifier.notifyNow(dialog);
  }

  /**
   * A rule change moved a watcher whose presence dialog is held here (the
   * agent's AuthorizationChange): pending to active gets a full NOTIFY at
   * once, a new view a NOTIFY with it, a block ends the dialog with reason
   * rejected, an active watcher the rules want confirmed again ends
   * deactivated (RFC 6665 §4.1.3 has no way back to pending). A decision that
   * changes nothing for the dialog sends nothing. Other packages are not
   * subject to pres-rules.
   */
  onAuthorization(change: AuthorizationChange): void {
    const dialog = this.tables.get(PRESENCE_PACKAGE)!.get(change.subscriptionId);
    if (!dialog || dialog.terminated) return;
    this.deps.interest.apply(change.state);
    const ended = endedByDecision(dialog, change);
    if (ended !== undefined) {
      this.terminateInBackground(dialog, ended);
      return;
    }
    if (change.status === 'pending' || (!dialog.pending && dialog.viewKey === change.viewKey)) return;
    const authorized = dialog.pending;
    if (authorized) dialog.transition({ type: 'authorized' });
    dialog.showView(change.viewKey);
    this.mirrorInBackground(dialog);
    // RFC 6446 §5.2: pending to active goes at once; a new view of an active watcher keeps to its max-rate.
    if (authorized || this.deps.notifier.viewChanged === undefined) this.deps.notifier.notifyNow(dialog);
    else this.deps.notifier.viewChanged(dialog);
  }

  /**
   * Runs `work` (which asks the agent for the state) while holding interest in
   * the presentity, so changes committed meanwhile are not missed; the hold
   * passes to the dialog if `work` activates one, and is released otherwise.
   */
  private async withInterest<T>(served: EventPackage<PackageState>, presentity: string, work: () => Promise<T>): Promise<T> {
    served.interest.acquire(presentity);
    try {
      return await work();
    } finally {
      served.interest.release(presentity);
    }
  }

  /** A dialog mirrored by another edge (or before a restart): take it over on this flow, if its watcher asks. */
  private async adopt(id: string, request: InDialogSubscribe): Promise<WatcherDialog | undefined> {
    const record = await this.deps.dialogs.loadDialog(id);
    if (!record || record.status === 'terminated' || record.expiresAt <= this.deps.clock.now()) return undefined;
    requireWatcher(record.watcher, request.requester);
    const served = this.packages.get(this.packageKeyOf(record.event, record.viewKey ?? WHOLE_DOCUMENT_VIEW));
    if (!served) return undefined;
    const dialog = fromDialogRecord(record, request.flow, request.source, request.localContact);
    await this.withInterest(served, dialog.presentity, async () => this.activate(served, dialog, await this.currentState(served, dialog.presentity, id)));
    // Held here from now on: counted, never refused (a refresh always passes).
    this.caps.count(dialog.watcher, dialog.source);
    return dialog;
  }

  private async currentState(served: EventPackage<PackageState>, presentity: string, id: string): Promise<PackageState> {
    const state = (await served.agent.fetchStates([presentity]))[0];
    if (!state) throw new NoSuchSubscriptionError(`No state for adopted subscription ${id}`);
    return state;
  }

  /** Starts holding a new (or adopted) dialog, inside withInterest. */
  private async activate(served: EventPackage<PackageState>, dialog: WatcherDialog, snapshot: PackageState): Promise<void> {
    await this.deps.dialogs.saveDialog(toDialogRecord(dialog, this.deps.edgeId));
    served.interest.acquire(dialog.presentity);
    served.interest.apply(snapshot);
    this.tableOf(dialog).add(dialog);
    this.expiry.schedule(dialog);
  }

  /**
   * The new expiry takes effect once mirrored; until then (or if that fails)
   * the dialog keeps the old one. The agent's decision comes with it: a
   * pending watcher it now allows turns active, and the view follows the rules.
   */
  private async refresh(dialog: WatcherDialog, expiresAt: number, decision: SubscriptionDecision<PackageState>): Promise<void> {
    const authorized = dialog.pending && decision.status === 'active';
    // The view is the agent's word whatever the mirror does; the status and expiry change once mirrored.
    dialog.showView(decision.viewKey ?? WHOLE_DOCUMENT_VIEW);
    await this.deps.dialogs.saveDialog({ ...toDialogRecord(dialog, this.deps.edgeId), expiresAt, ...(authorized ? { status: 'active' } : {}) });
    if (authorized) dialog.transition({ type: 'authorized' });
    // Together: the queue orders dialogs by the expiresAt they carry.
    dialog.transition({ type: 'refreshed', expiresAt });
    this.expiry.schedule(dialog);
  }

  /** The mirror follows a status or view change made outside a request (best effort: a refresh mirrors again). */
  private mirrorInBackground(dialog: WatcherDialog): void {
    this.deps.dialogs.saveDialog(toDialogRecord(dialog, this.deps.edgeId)).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, dialog: dialog.id }, 'mirroring an authorization change failed');
    });
  }

  /** A NOTIFY failed for good (RFC 6665 §4.2.2: 481, Timer F, unreachable): the subscription ends. */
  onNotifyFailed(dialog: WatcherDialog, status: number): void {
    this.deps.logger.debug({ dialog: dialog.id, status }, 'NOTIFY failed: ending subscription');
    this.terminateInBackground(dialog, { type: 'notify-failed' });
  }

  /** A presentity this edge watches changed: every local watcher gets (rate-limited) word of it. */
  onPresentityChanged(presentity: string): void {
    this.onPackageChanged(PRESENCE_PACKAGE, presentity);
  }

  /** The state of an event package about a presentity changed: that package's dialogs watching it hear of it. */
  onPackageChanged(eventPackage: string, presentity: string): void {
    const served = this.packageNamed(eventPackage);
    for (const dialog of this.tables.get(eventPackage)!.watchersOf(presentity)) served.notifier.stateChanged(dialog);
  }

  /** Stops timers; dialogs stay mirrored so a restarted or other edge can adopt them. */
  stop(): void {
    this.expiry.stop();
    for (const [name, table] of this.tables) {
      const { notifier } = this.packageNamed(name);
      for (const dialog of table.all()) notifier.cancel(dialog);
    }
  }

  private packageNamed(eventPackage: string): EventPackage<PackageState> {
    const served = this.packages.get(eventPackage);
    // Ingress admits only the packages served here (489 otherwise); reaching this is a wiring bug.
    if (!served) throw new BadEventError(`Bad Event: ${eventPackage} not supported`, [...this.packages.keys()]);
    return served;
  }

  private packageOf(dialog: WatcherDialog): EventPackage<PackageState> {
    return this.packageNamed(this.packageKeyOf(dialog.event, dialog.viewKey));
  }

  private tableOf(dialog: WatcherDialog): DialogTable {
    return this.tables.get(this.packageKeyOf(dialog.event, dialog.viewKey))!;
  }

  /**
   * The package a dialog belongs to: its Event's, or a variant of it served
   * under `<package>;<view key>` (a resource list's dialogs: Event presence,
   * view `eventlist`, RFC 4662), so the mirror's view key is enough to adopt
   * one into the right package.
   */
  private packageKeyOf(event: string, viewKey: string): string {
    const name = eventPackageOf(event);
    if (viewKey === WHOLE_DOCUMENT_VIEW) return name;
    const variant = `${name};${viewKey}`;
    return this.packages.has(variant) ? variant : name;
  }

  private heldDialog(id: string): WatcherDialog | undefined {
    for (const table of this.tables.values()) {
      const dialog = table.get(id);
      if (dialog) return dialog;
    }
    return undefined;
  }

  /** The package's agent found the dialog's resource gone (a list whose service was deleted): it ends with reason noresource (RFC 6665 §4.1.3). */
  resourceGone(id: string): void {
    const dialog = this.heldDialog(id);
    if (dialog !== undefined && !dialog.terminated) this.terminateInBackground(dialog, { type: 'gone' });
  }

  private lapsed(dialog: WatcherDialog): void {
    if (this.heldDialog(dialog.id) !== dialog) return;
    this.deps.metrics.expirySweeps.inc({ kind: 'subscription' });
    this.terminateInBackground(dialog, { type: 'expired' });
  }

  /**
   * Ends a held dialog through its state machine, then frees it here, in the
   * mirror and at the agent. The event decides the rest: an unsubscribe has
   * told the agent already; a failed NOTIFY gets no final NOTIFY (none can
   * reach the watcher, RFC 6665 §4.2.2); the others get one with the reason,
   * unless `silent` (RFC 5839 §5.7: the 204 concluded it).
   */
  private async terminate(dialog: WatcherDialog, event: EndEvent, silent = false): Promise<void> {
    if (!this.heldDialog(dialog.id)) return;
    const served = this.packageOf(dialog);
    this.expiry.cancel(dialog);
    served.notifier.cancel(dialog);
    const { reason } = dialog.transition(event);
    this.tableOf(dialog).remove(dialog);
    this.caps.release(dialog.watcher, dialog.source);
    const work: Promise<unknown>[] = [this.deps.dialogs.deleteDialog(dialog.id)];
    // An unsubscribe has told the agent already; a rejection or a resource gone is the agent's own finding (the record is gone).
    if (event.type !== 'unsubscribed' && event.type !== 'rejected' && event.type !== 'gone') work.push(served.agent.unsubscribe(dialog.presentity, dialog.id, event.type));
    // Released after the final NOTIFY is built: a package that renders per dialog reads the state it holds.
    if (event.type !== 'notify-failed' && reason && !silent) work.push(served.notifier.notifyTerminated(dialog, reason));
    else served.notifier.forget(dialog);
    served.interest.release(dialog.presentity);
    const failures = (await Promise.allSettled(work)).filter((r) => r.status === 'rejected');
    for (const failure of failures) this.deps.logger.warn({ err: (failure as PromiseRejectedResult).reason, dialog: dialog.id }, 'cleanup after subscription end failed');
  }

  /** terminate() for callers that do not wait: a failure of its own is logged and counted, never left unhandled. */
  private terminateInBackground(dialog: WatcherDialog, event: EndEvent): void {
    this.terminate(dialog, event).catch((error: unknown) => {
      this.deps.metrics.internalErrors.inc({ source: 'subscription_end' });
      this.deps.logger.error({ err: error, dialog: dialog.id }, 'ending a subscription failed');
    });
  }
}

/**
 * How the agent's decision ends a live dialog, if it does: a block rejects
 * it; an active watcher the rules want confirmed again is deactivated, since
 * RFC 6665 §4.1.3 has no transition from active back to pending.
 */
function endedByDecision(dialog: WatcherDialog, decision: Pick<SubscriptionDecision<PackageState>, 'status' | 'reason'>): EndEvent | undefined {
  if (decision.status === 'terminated') return { type: decision.reason === 'deactivated' ? 'deactivated' : decision.reason === 'noresource' ? 'gone' : 'rejected' };
  if (decision.status === 'pending' && !dialog.pending) return { type: 'deactivated' };
  return undefined;
}

/** The package name of an Event header value (RFC 6665 §8.2.1: the token before any parameter), as the agent records it. */
export function eventPackageOf(event: string): string {
  const semicolon = event.indexOf(';');
  return (semicolon < 0 ? event : event.slice(0, semicolon)).trim().toLowerCase();
}

/** A SUBSCRIBE that asks nothing of its NOTIFYs. */
const NO_CONTROLS: NotifyControls = Object.freeze({});

/** The package every edge serves (RFC 3856). */
export const PRESENCE_PACKAGE = 'presence';

/** Only the watcher may refresh or end its subscription (the dialog's identifiers are no secret from the path). */
function requireWatcher(watcher: string, requester: string | undefined): void {
  if (requester !== undefined && requester !== watcher) throw new ForbiddenError('Not the watcher of this subscription');
}
