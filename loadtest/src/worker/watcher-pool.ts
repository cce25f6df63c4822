import { buildRequest, buildResponse } from '../sip/build-message.js';
import { preciseNowMs, readTimestamp } from '../sip/pidf-timestamp.js';
import { tagOf, type SipMessage } from '../sip/sip-message.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { countCode, emptySubscribeCounts, type SubscribePhaseReport } from '../stats/phase-stats.js';
import type { Channel, Reply } from '../transport/channel.js';
import type { DrainCommand, UnsubscribeResult } from './protocol.js';
import { sleep } from '@presence/dev-tools';
import { channelsNeeded, type ChannelOpener, type WorkerContext } from './worker-context.js';
import { indexFromCallId, ownedIndices, presentityOf, presentityUser, watcherEndpoint, watcherUser, type GridShape } from './workload-grid.js';
import { runWindowed } from './windowed.js';
import { carriesTimestamps, subscribeExtras } from './watcher-profile.js';
import type { AttemptBuilder, AuthenticatedAs } from './authenticating-sender.js';

type SubState = 'pending' | 'active' | 'failed' | 'ended';

interface Subscription {
  readonly index: number;
  readonly presentity: number;
  readonly channel: Channel;
  state: SubState;
  /** The server's tag, for in-dialog requests (unsubscribe). */
  toTag: string | undefined;
  /** CSeq of the dialog's last request (subscribeText takes the next). */
  cseq: number;
  /** Highest NOTIFY CSeq seen: a lower or equal one is a retransmission. */
  notifyCseq: number;
  initialSeen: boolean;
  /** Newest published timestamp this watcher has been told about. */
  lastTs: number;
  /** Timestamps of the changes this watcher was told about in step `seenStep`. */
  seenTs: number[];
  seenStep: number;
  /** SIP-ETag of the last NOTIFY (RFC 5839), for a conditional refresh. */
  etag: string | undefined;
  /** A refresh was sent in this drain and its NOTIFY (or 204) has not come yet. */
  refreshPending: boolean;
}

/**
 * The watchers of one worker: REGISTER + SUBSCRIBE in a bounded window,
 * every NOTIFY answered 200 and timed against the timestamp in its body,
 * convergence check after a step, optional unsubscribe.
 */
export class WatcherPool {
  private readonly subs: Subscription[] = [];
  private readonly callIdPrefix: string;
  private readonly subscribeCounts = emptySubscribeCounts();
  private unsubscribing = false;
  /** When the last NOTIFY was counted: a profile whose NOTIFYs carry no timestamp drains until they stop. */
  private lastNotifyAt = 0;

  private constructor(
    private readonly ctx: WorkerContext,
    private readonly shape: GridShape,
  ) {
    this.callIdPrefix = `${ctx.config.runId}w`;
  }

  static async create(ctx: WorkerContext, shape: GridShape, open: ChannelOpener): Promise<WatcherPool> {
    const pool = new WatcherPool(ctx, shape);
    const { config } = ctx;
    const owned = ownedIndices(config.presentities * config.watchers, config.workerIndex, config.workers);
    const perEndpoint = Array.from({ length: shape.endpoints }, () => [] as number[]);
    for (const s of owned) perEndpoint[watcherEndpoint(shape, s)]!.push(s);
    const channels = await Promise.all(perEndpoint.map((members, e) => open(e, channelsNeeded(members.length, config.perSocket))));
    const assigned = new Map<number, Channel>();
    perEndpoint.forEach((members, e) => members.forEach((s, i) => assigned.set(s, channels[e]![Math.floor(i / config.perSocket)]!)));
    for (const s of owned) {
      pool.subs.push({
        index: s,
        presentity: presentityOf(shape, s),
        channel: assigned.get(s)!,
        state: 'pending',
        toTag: undefined,
        cseq: 0,
        notifyCseq: -1,
        initialSeen: false,
        lastTs: 0,
        seenTs: [],
        seenStep: -1,
        etag: undefined,
        refreshPending: false,
      });
    }
    return pool;
  }

  get size(): number {
    return this.subs.length;
  }

  async subscribeAll(): Promise<SubscribePhaseReport> {
    const started = preciseNowMs();
    const rtt = new LatencyHistogram();
    await runWindowed(this.subs.length, this.ctx.config.concurrency, async (i) => {
      const sub = this.subs[i]!;
      if (this.ctx.config.register && !(await this.register(sub))) {
        sub.state = 'failed';
        return;
      }
      await this.subscribe(sub, rtt);
    });
    const counts = this.subscribeCounts;
    const deadline = preciseNowMs() + this.ctx.config.initialNotifyWaitMs;
    let waiting = this.subs;
    for (;;) {
      waiting = waiting.filter((s) => s.state === 'active' && !s.initialSeen);
      if (waiting.length === 0 || preciseNowMs() >= deadline) break;
      await sleep(20);
    }
    counts.missingInitialNotifies = waiting.length;
    counts.durationMs = preciseNowMs() - started;
    return { ...counts, subscribeRtt: rtt.snapshot() };
  }

  private register(sub: Subscription): Promise<boolean> {
    const { config } = this.ctx;
    const user = watcherUser(config.runId, sub.index);
    const aor = `sip:${user}@${config.domain}`;
    const uri = `sip:${config.domain}`;
    let cseq = 0;
    const build: AttemptBuilder = (branch, authorization) =>
      buildRequest({
        method: 'REGISTER',
        uri,
        via: sub.channel.via,
        branch,
        from: `<${aor}>;tag=r${sub.index}`,
        to: `<${aor}>`,
        callId: `${config.runId}r${sub.index}`,
        cseq: ++cseq,
        contact: sub.channel.contact(user),
        headers: [`Expires: ${config.expires}`],
        authorization,
      });
    const counts = this.subscribeCounts;
    return new Promise((resolve) => {
      // RFC 3261 §10.2: a REGISTER acts for its To AOR.
      const sent = this.ctx.requests.send(sub.channel, { aor, method: 'REGISTER', uri }, build, counts, (response) => {
        if (response === undefined) counts.registerTimeouts++;
        else if (response.status < 300) counts.registerOk++;
        else {
          counts.registerFailed++;
          countCode(counts.errorCodes, response.status);
        }
        resolve(response !== undefined && response.status < 300);
      });
      if (sent) counts.registerSent++;
      else {
        counts.sendFailures++;
        resolve(false);
      }
    });
  }

  private subscribe(sub: Subscription, rtt: LatencyHistogram): Promise<void> {
    const expires = this.ctx.config.expires;
    const counts = this.subscribeCounts;
    const sentAt = preciseNowMs();
    return new Promise((resolve) => {
      const sent = this.ctx.requests.send(sub.channel, this.subscriberOf(sub), (branch, auth) => this.subscribeText(sub, branch, expires, auth), counts, (response) => {
        if (response === undefined) {
          counts.subscribeTimeouts++;
          sub.state = 'failed';
        } else if (response.status < 300) {
          counts.subscribed++;
          rtt.recordMs(preciseNowMs() - sentAt);
          sub.toTag = tagOf(response.to);
          if (sub.state === 'pending') sub.state = 'active';
        } else {
          counts.subscribeFailed++;
          countCode(counts.errorCodes, response.status);
          sub.state = 'failed';
        }
        resolve();
      });
      if (sent) counts.subscribeSent++;
      else {
        counts.sendFailures++;
        sub.state = 'failed';
        resolve();
      }
    });
  }

  /** RFC 6665 §4.1: a SUBSCRIBE acts for its From AOR, the watcher. */
  private subscriberOf(sub: Subscription): AuthenticatedAs {
    const { config } = this.ctx;
    return { aor: `sip:${watcherUser(config.runId, sub.index)}@${config.domain}`, method: 'SUBSCRIBE', uri: this.presentityAor(sub) };
  }

  private presentityAor(sub: Subscription): string {
    return `sip:${presentityUser(this.ctx.config.runId, sub.presentity)}@${this.ctx.config.domain}`;
  }

  /**
   * Initial SUBSCRIBE (no To tag) or, with `sub.toTag`, an in-dialog one
   * (refresh / unsubscribe); each takes the dialog's next CSeq.
   */
  private subscribeText(sub: Subscription, branch: string, expires: number, authorization: string | undefined): string {
    const { config } = this.ctx;
    const user = watcherUser(config.runId, sub.index);
    const presentity = this.presentityAor(sub);
    const extras = subscribeExtras(config.profile, sub.toTag !== undefined, sub.etag);
    return buildRequest({
      method: 'SUBSCRIBE',
      uri: presentity,
      via: sub.channel.via,
      branch,
      from: `<sip:${user}@${config.domain}>;tag=w${sub.index}`,
      to: sub.toTag === undefined ? `<${presentity}>` : `<${presentity}>;tag=${sub.toTag}`,
      callId: `${this.callIdPrefix}${sub.index}`,
      cseq: ++sub.cseq,
      contact: sub.channel.contact(user),
      headers: ['Event: presence', ...extras.headers, `Expires: ${expires}`],
      authorization,
      ...(extras.body === undefined ? {} : { contentType: extras.contentType, body: extras.body }),
    });
  }

  onNotify(message: SipMessage, reply: Reply, now: number): void {
    const sub = this.find(message.callId);
    const step = this.ctx.step;
    if (sub === undefined) {
      step.counts.unknownDialog++;
      reply(buildResponse(message, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    reply(buildResponse(message, 200, 'OK'));
    if (message.cseq <= sub.notifyCseq) {
      // Before the first step, the subscribe phase is the one running.
      (step.step < 0 ? this.subscribeCounts : step.counts).notifyRetransmissions++;
      return;
    }
    sub.notifyCseq = message.cseq;
    sub.etag = message.headers.get('sip-etag') ?? sub.etag;
    if (message.headers.get('subscription-state')?.toLowerCase().startsWith('terminated')) {
      if (!this.unsubscribing && sub.state !== 'ended') step.counts.terminated++;
      sub.state = 'ended';
    }
    const ts = readTimestamp(message.body);
    if (!sub.initialSeen) {
      // RFC 6665 §4.2.1.2: the first NOTIFY carries the state at subscribe time, not a change.
      sub.initialSeen = true;
      this.subscribeCounts.initialNotifies++;
      if (ts !== undefined && ts > sub.lastTs) sub.lastTs = ts;
      return;
    }
    this.lastNotifyAt = now;
    // The NOTIFY a refresh brings shows no newer change (RFC 6665 §4.2.1.2); conditional ones carry no body (RFC 5839).
    if (sub.refreshPending && (ts === undefined || ts <= sub.lastTs)) {
      sub.refreshPending = false;
      step.counts.refreshNotifies++;
      step.counts.refreshBytes += message.size;
      return;
    }
    step.counts.notifyBytes += message.size;
    if (ts === undefined) {
      step.counts.notifiesWithoutTimestamp++;
      return;
    }
    if (ts < sub.lastTs) step.counts.stateRegressions++;
    if (ts > sub.lastTs) sub.lastTs = ts;
    if (sub.seenStep !== step.step) {
      sub.seenStep = step.step;
      sub.seenTs = [];
    }
    sub.seenTs.push(ts);
    if (ts < step.startTs) {
      step.counts.lateNotifies++;
      return;
    }
    step.counts.notifies++;
    if (step.windowOpen) step.counts.notifiesInWindow++;
    step.latency.recordMs(now - ts);
  }

  /**
   * Waits until every active watcher has seen its presentity's last accepted
   * state, or the deadline; then counts, per (watcher, change), what arrived.
   */
  async drain(command: DrainCommand): Promise<void> {
    const started = preciseNowMs();
    const owed = new Map<number, readonly number[]>(command.accepted);
    const counts = this.ctx.step.counts;
    const deadline = started + command.deadlineMs;
    const profile = this.ctx.config.profile;
    if (profile !== undefined) await this.refreshAll();
    if (!carriesTimestamps(profile)) {
      // No timestamps to match changes with: wait for the refresh NOTIFYs and for NOTIFYs to stop; count, do not judge delivery.
      while (preciseNowMs() < deadline && (this.subs.some((s) => s.refreshPending) || preciseNowMs() - this.lastNotifyAt < QUIET_MS)) await sleep(20);
      counts.drainMs = preciseNowMs() - started;
      return;
    }
    const checked = this.subs.filter((s) => s.state === 'active' && owed.has(s.presentity));
    counts.checked = checked.length;
    let waiting = checked;
    for (;;) {
      waiting = waiting.filter((s) => s.state === 'active' && (s.lastTs < lastOf(owed.get(s.presentity)!) || s.refreshPending));
      if (waiting.length === 0 || preciseNowMs() >= deadline) break;
      await sleep(20);
    }
    counts.stale = waiting.length;
    for (const sub of checked) this.countChanges(sub, owed.get(sub.presentity)!);
    counts.drainMs = preciseNowMs() - started;
  }

  /**
   * --watcher-profile runs: every active watcher refreshes once per step, as
   * phones do; the NOTIFY each refresh brings (RFC 6665 §4.2.1.2) counts in
   * the step's bytes, and is what conditional notification (RFC 5839) saves.
   */
  private async refreshAll(): Promise<void> {
    const counts = this.ctx.step.counts;
    const active = this.subs.filter((s) => s.state === 'active' && s.toTag !== undefined);
    await runWindowed(active.length, this.ctx.config.concurrency, (i) => {
      const sub = active[i]!;
      sub.refreshPending = true;
      return new Promise<void>((resolve) => {
        const sent = this.ctx.requests.send(sub.channel, this.subscriberOf(sub), (branch, auth) => this.subscribeText(sub, branch, this.ctx.config.expires, auth), counts, (response) => {
          // 204 No Notification (RFC 5839: the tag matched): no NOTIFY follows; a failure brings none either.
          if (response === undefined || response.status === 204 || response.status >= 300) {
            if (response?.status === 204) counts.refreshNoNotify++;
            sub.refreshPending = false;
          }
          resolve();
        });
        if (sent) counts.refreshesSent++;
        else {
          sub.refreshPending = false;
          resolve();
        }
      });
    });
  }

  private countChanges(sub: Subscription, changes: readonly number[]): void {
    const counts = this.ctx.step.counts;
    const seen = sub.seenStep === this.ctx.step.step ? new Set(sub.seenTs) : new Set<number>();
    const newest = Math.max(0, ...seen);
    counts.changesOwed += changes.length;
    for (const ts of changes) {
      if (seen.has(ts)) counts.changesDelivered++;
      else if (newest > ts) counts.changesSuperseded++;
    }
  }

  /** RFC 6665 §4.1.2.3: a refresh with Expires: 0 ends each active dialog. */
  async unsubscribeAll(): Promise<UnsubscribeResult> {
    this.unsubscribing = true;
    const result = { sent: 0, ok: 0, failed: 0, timeouts: 0, challengesAnswered: 0, staleChallenges: 0 };
    const active = this.subs.filter((s) => s.state === 'active' && s.toTag !== undefined);
    await runWindowed(active.length, this.ctx.config.concurrency, (i) => {
      const sub = active[i]!;
      return new Promise<void>((resolve) => {
        const sent = this.ctx.requests.send(sub.channel, this.subscriberOf(sub), (branch, auth) => this.subscribeText(sub, branch, 0, auth), result, (response) => {
          if (response === undefined) result.timeouts++;
          else if (response.status < 300) result.ok++;
          else result.failed++;
          sub.state = 'ended';
          resolve();
        });
        if (sent) result.sent++;
        else {
          result.failed++;
          resolve();
        }
      });
    });
    return result;
  }

  private find(callId: string): Subscription | undefined {
    const s = indexFromCallId(callId, this.callIdPrefix);
    if (s === undefined) return undefined;
    const { workerIndex, workers } = this.ctx.config;
    if (s % workers !== workerIndex) return undefined;
    return this.subs[(s - workerIndex) / workers];
  }
}

/** How long without a NOTIFY ends the drain of a profile whose NOTIFYs carry no timestamp. */
const QUIET_MS = 500;

function lastOf(sorted: readonly number[]): number {
  return sorted[sorted.length - 1]!;
}
