import type { SipMessage } from '../sip/sip-message.js';
import type { Channel } from '../transport/channel.js';

/** RFC 3261 T2: the retransmission interval cap (and the pace after a provisional response). */
const T2_MS = 4000;

/** Called once: with the final response, or undefined when the request timed out. */
export type Completion = (response: SipMessage | undefined) => void;

interface Pending {
  readonly channel: Channel;
  readonly text: string;
  readonly deadline: number;
  nextRetransmit: number;
  interval: number;
  readonly done: Completion;
}

/**
 * Outstanding client requests by Via branch — the part of RFC 3261 §17.1.2
 * a load generator needs: UDP retransmission (T1 doubling up to T2, held at
 * T2 after a provisional) and a timeout. No per-request timers: one sweep
 * over the table, driven by the worker, keeps the cost flat at high rates.
 */
export class TransactionTable {
  private readonly pending = new Map<string, Pending>();
  retransmissions = 0;

  constructor(
    private readonly t1Ms: number,
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Sends and tracks; false (and no completion) when the channel refused the send. */
  send(channel: Channel, branch: string, text: string, now: number, done: Completion): boolean {
    if (!channel.send(text)) return false;
    this.pending.set(branch, {
      channel,
      text,
      deadline: now + this.timeoutMs,
      nextRetransmit: channel.reliable ? Number.POSITIVE_INFINITY : now + this.t1Ms,
      interval: this.t1Ms,
      done,
    });
    return true;
  }

  /** Matches a response by branch; true if it belonged to a tracked request. */
  onResponse(branch: string, response: SipMessage, now: number): boolean {
    const entry = this.pending.get(branch);
    if (entry === undefined) return false;
    if (response.status < 200) {
      if (!entry.channel.reliable) entry.nextRetransmit = now + T2_MS;
      return true;
    }
    this.pending.delete(branch);
    entry.done(response);
    return true;
  }

  /** Retransmits what is due and times out what is overdue. */
  sweep(now: number): void {
    for (const [branch, entry] of this.pending) {
      if (now >= entry.deadline) {
        this.pending.delete(branch);
        entry.done(undefined);
      } else if (now >= entry.nextRetransmit) {
        entry.channel.send(entry.text);
        this.retransmissions++;
        entry.interval = Math.min(entry.interval * 2, T2_MS);
        entry.nextRetransmit = now + entry.interval;
      }
    }
  }

  /** Times out everything at once (shutdown). */
  abandonAll(): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.done(undefined);
  }
}
