import { sleep } from '@presence/dev-tools';
import { buildRequest } from '../sip/build-message.js';
import { tagOf, type SipMessage } from '../sip/sip-message.js';
import type { Channel } from '../transport/channel.js';
import type { ChaosLedger } from './chaos-ledger.js';
import type { ChaosSip } from './chaos-sip.js';
import { readSequencedState } from './sequenced-pidf.js';

/** Requests the watchers keep outstanding at most (subscribes and refreshes), so a recovery is not met by a flood. */
const WINDOW = 64;
const TICK_MS = 100;
/** A watcher whose SUBSCRIBE failed tries again after this long, as a UA would after a 503. */
const RETRY_MS = 1000;

interface Watcher {
  readonly index: number;
  readonly presentity: number;
  readonly channel: Channel;
  readonly user: string;
  callId: string;
  toTag: string | undefined;
  cseq: number;
  notifyCseq: number;
  state: 'subscribing' | 'active' | 'ended';
  busy: boolean;
  /** When to refresh (active) or subscribe again (ended). */
  dueAt: number;
  /** Highest sequence number this watcher was told of, over all its dialogs. */
  maxSeq: number;
  /** Set on a re-subscription, cleared when it succeeded: counted once. */
  resubscribing: boolean;
}

export interface WatcherOptions {
  readonly expiresS: number;
  readonly delayThresholdMs: number;
}

/**
 * W watchers per presentity, each its own dialog through edge
 * `(presentity + w) % edges`, refreshing at half the granted time, as a UA
 * would. A dialog the server ended (NOTIFY terminated, or 481 to a refresh)
 * is replaced by a new SUBSCRIBE. Every NOTIFY is checked: its state must
 * not be older than what this watcher saw before (CAS and leases at work),
 * and a change is timed against the PUBLISH's send time.
 */
export class ChaosWatchers {
  private readonly watchers: Watcher[] = [];
  private readonly ticker: NodeJS.Timeout;
  private outstanding = 0;

  constructor(
    private readonly sip: ChaosSip,
    private readonly ledger: ChaosLedger,
    private readonly aors: readonly string[],
    perPresentity: number,
    private readonly options: WatcherOptions,
  ) {
    for (let w = 0; w < perPresentity; w++) {
      aors.forEach((_, p) => {
        const index = this.watchers.length;
        const channel = sip.channel(p + w, index);
        this.watchers.push({ index, presentity: p, channel, user: `chaosw${index}`, callId: '', toTag: undefined, cseq: 0, notifyCseq: -1, state: 'ended', busy: false, dueAt: 0, maxSeq: 0, resubscribing: false });
      });
    }
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  get size(): number {
    return this.watchers.length;
  }

  /** Waits (bounded) until every watcher has an active dialog and its first state; throws naming how many had not. */
  async allActive(deadlineMs: number): Promise<void> {
    for (;;) {
      const waiting = this.watchers.filter((w) => w.state !== 'active' || w.maxSeq === 0).length;
      if (waiting === 0) return;
      if (Date.now() > deadlineMs) throw new Error(`${waiting} of ${this.watchers.length} watchers not subscribed with a first state in time`);
      await sleep(50);
    }
  }

  /**
   * Waits (bounded) until every watcher is active and holds the sequence
   * number `expected(presentity)`; returns the watchers that did not.
   */
  async converge(expected: (presentity: number) => number, deadlineMs: number): Promise<Array<{ watcher: number; presentity: number; state: string; seen: number; expected: number }>> {
    for (;;) {
      const stale = this.watchers.filter((w) => w.state !== 'active' || w.maxSeq !== expected(w.presentity));
      if (stale.length === 0 || Date.now() > deadlineMs) {
        return stale.map((w) => ({ watcher: w.index, presentity: w.presentity, state: w.state, seen: w.maxSeq, expected: expected(w.presentity) }));
      }
      await sleep(100);
    }
  }

  close(): void {
    clearInterval(this.ticker);
    for (const w of this.watchers) this.sip.forgetDialog(w.callId);
  }

  private tick(): void {
    const now = Date.now();
    for (const w of this.watchers) {
      if (this.outstanding >= WINDOW) return;
      if (w.busy || w.dueAt > now || w.state === 'subscribing') continue;
      void this.run(w, w.state === 'active' ? () => this.refresh(w) : () => this.subscribe(w));
    }
  }

  private async run(w: Watcher, work: () => Promise<void>): Promise<void> {
    w.busy = true;
    this.outstanding++;
    try {
      await work();
    } finally {
      w.busy = false;
      this.outstanding--;
    }
  }

  private async subscribe(w: Watcher): Promise<void> {
    this.sip.forgetDialog(w.callId);
    w.callId = this.sip.newId('chaos');
    w.toTag = undefined;
    w.cseq = 0;
    w.notifyCseq = -1;
    w.state = 'subscribing';
    this.sip.onDialog(w.callId, (notify) => this.onNotify(w, notify));
    const callId = w.callId;
    const sentAt = Date.now();
    const response = await this.send(w, this.options.expiresS);
    if (w.callId !== callId || w.state !== 'subscribing') return;
    if (response !== undefined && response.status >= 200 && response.status < 300) {
      w.toTag ??= tagOf(response.to);
      w.state = 'active';
      w.dueAt = this.refreshTime(response);
      if (w.resubscribing) this.ledger.trouble('resubscribed');
      w.resubscribing = false;
      return;
    }
    this.ledger.trouble('subscribe-failed', sentAt, response?.status ?? 'timeout');
    w.state = 'ended';
    w.dueAt = Date.now() + RETRY_MS;
  }

  private async refresh(w: Watcher): Promise<void> {
    const callId = w.callId;
    const sentAt = Date.now();
    const response = await this.send(w, this.options.expiresS);
    if (w.callId !== callId || w.state !== 'active') return;
    if (response !== undefined && response.status >= 200 && response.status < 300) {
      w.dueAt = this.refreshTime(response);
      return;
    }
    if (response?.status === 481) {
      // RFC 6665 §4.1.2.2: the dialog is gone (e.g. its mirror lapsed): subscribe anew.
      w.state = 'ended';
      w.resubscribing = true;
      w.dueAt = 0;
      return;
    }
    this.ledger.trouble('subscribe-failed', sentAt, response?.status ?? 'timeout');
    w.dueAt = Date.now() + RETRY_MS;
  }

  private refreshTime(response: SipMessage): number {
    const granted = Number(response.headers.get('expires') ?? this.options.expiresS);
    const half = (Number.isFinite(granted) && granted > 0 ? granted : this.options.expiresS) * 500;
    return Date.now() + half * (0.9 + Math.random() * 0.2);
  }

  private send(w: Watcher, expires: number): Promise<SipMessage | undefined> {
    const presentity = this.aors[w.presentity]!;
    return this.sip.request(w.channel, (branch) =>
      buildRequest({
        method: 'SUBSCRIBE',
        uri: presentity,
        via: w.channel.via,
        branch,
        from: `<sip:${w.user}@127.0.0.1>;tag=${w.callId}`,
        to: w.toTag === undefined ? `<${presentity}>` : `<${presentity}>;tag=${w.toTag}`,
        callId: w.callId,
        cseq: ++w.cseq,
        contact: w.channel.contact(w.user),
        headers: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${expires}`],
      }),
    );
  }

  private onNotify(w: Watcher, notify: SipMessage): number {
    if (notify.cseq <= w.notifyCseq) return 200;
    w.notifyCseq = notify.cseq;
    w.toTag ??= tagOf(notify.from);
    const now = Date.now();
    if (notify.body.includes('<presence')) {
      const { seq, sentAtMs } = readSequencedState(notify.body);
      if (seq < w.maxSeq) {
        this.ledger.trouble('backwards', now);
        this.ledger.violate('state never goes backwards', `watcher ${w.index} of ${this.aors[w.presentity]} saw seq ${seq} after ${w.maxSeq} (dialog ${w.callId})`, now);
      } else if (seq > w.maxSeq) {
        w.maxSeq = seq;
        if (now - sentAtMs > this.options.delayThresholdMs) this.ledger.trouble('notify-delayed', sentAtMs + this.options.delayThresholdMs);
      }
    }
    if ((notify.headers.get('subscription-state') ?? '').toLowerCase().startsWith('terminated')) {
      // RFC 6665 §4.1.3: the notifier ended the subscription; a UA that still wants it subscribes again.
      this.ledger.trouble('terminated', now);
      this.sip.forgetDialog(w.callId);
      w.state = 'ended';
      w.resubscribing = true;
      w.dueAt = now + RETRY_MS;
    }
    return 200;
  }
}
