import { sleep } from '@presence/dev-tools';
import { TokenBucket } from '../rate/token-bucket.js';
import { buildRequest } from '../sip/build-message.js';
import type { ChaosLedger } from './chaos-ledger.js';
import type { ChaosSip } from './chaos-sip.js';
import { sequencedPidf } from './sequenced-pidf.js';

/** Publication lifetime: long enough to outlive the run between modifications, short enough that one orphaned by a lost entity-tag goes. */
export const PUBLICATION_EXPIRES_S = 120;
/** Answers kept per publisher for a violation's detail. */
const HISTORY = 8;

interface Publisher {
  readonly index: number;
  readonly aor: string;
  /** The sequence number of the last PUBLISH sent (never reused, failed or not). */
  sentSeq: number;
  /** The highest sequence number a 2xx acknowledged. */
  ackedSeq: number;
  /** RFC 3903 §4.1: modify with SIP-If-Match; undefined after a 412 (a new publication follows). */
  etag: string | undefined;
  /**
   * What may have moved the entity-tag since the last 2xx: nothing
   * (acknowledged), only PUBLISHes answered 503 (which ARCHITECTURE "Request
   * deadlines" says are never applied), or a request without an answer.
   */
  since2xx: 'acknowledged' | 'only-503' | 'uncertain';
  tupleId: string;
  cseq: number;
  /** The last answers (seq:status@ms taken), for a violation's detail. */
  readonly history: string[];
  readonly callId: string;
}

/**
 * One publisher per presentity through edge `index % edges`, one PUBLISH
 * outstanding each, paced to `rate` per second over all of them (round
 * robin). Each PUBLISH carries the next sequence number; its answer is
 * recorded in the ledger (2xx: acknowledged; anything else or a timeout: failed).
 */
export class ChaosPublishers {
  private readonly publishers: Publisher[];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Conditional PUBLISHes answered 412 although their entity-tag was the last 2xx's: acknowledged publications lost. */
  lostAcknowledged = 0;
  /** The same after a retransmission: the first copy may have been applied by an edge that died before answering. */
  ambiguousPreconditionFailures = 0;
  /** 412s explained by a PUBLISH answered 503 that was applied after all (the store holds its sequence number). */
  readonly appliedDespite503: string[] = [];

  constructor(
    private readonly sip: ChaosSip,
    private readonly ledger: ChaosLedger,
    readonly aors: readonly string[],
    /** The stored state's sequence number of presentity `index` (store-fetch.ts). */
    private readonly fetchStored: (aor: string, index: number) => Promise<number | undefined>,
  ) {
    this.publishers = aors.map((aor, index) => ({ index, aor, sentSeq: 0, ackedSeq: 0, etag: undefined, since2xx: 'uncertain', tupleId: sip.newId('t'), cseq: 0, history: [], callId: sip.newId('pub') }));
  }

  /** The highest acknowledged sequence number of presentity `index`. */
  ackedSeq(index: number): number {
    return this.publishers[index]!.ackedSeq;
  }

  /** Publishes each presentity until acknowledged (bounded), so every watcher has a state to start from. */
  async seed(deadlineMs: number): Promise<void> {
    for (const publisher of this.publishers) {
      while (publisher.ackedSeq === 0) {
        if (Date.now() > deadlineMs) throw new Error(`could not seed ${publisher.aor}: no 2xx to PUBLISH before the deadline`);
        if (!(await this.publish(publisher))) await sleep(200);
      }
    }
  }

  start(rate: number): void {
    this.running = true;
    const bucket = new TokenBucket(rate, Math.max(1, rate / 10));
    this.loop = (async () => {
      let next = 0;
      while (this.running) {
        const publisher = this.publishers[next];
        next = (next + 1) % this.publishers.length;
        while (this.running && bucket.take(Date.now(), 1) === 0) await sleep(5);
        if (!this.running || publisher === undefined) break;
        const busy = this.publish(publisher).then(() => undefined);
        this.inFlight.add(busy);
        void busy.finally(() => this.inFlight.delete(busy));
      }
    })();
  }

  /** Stops sending and waits for every outstanding PUBLISH to be answered or time out. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  /** Publishers waiting for an answer: one PUBLISH outstanding each (the next needs its entity-tag). */
  private readonly publishing = new Set<number>();

  /** True on 2xx. A publisher already waiting for an answer is skipped (false). */
  private async publish(publisher: Publisher): Promise<boolean> {
    if (this.publishing.has(publisher.index)) return false;
    this.publishing.add(publisher.index);
    try {
      const seq = ++publisher.sentSeq;
      const sentAt = Date.now();
      const etag = publisher.etag;
      const body = sequencedPidf(publisher.aor, publisher.tupleId, seq, sentAt);
      const channel = this.sip.channel(publisher.index, publisher.index);
      const answer = await this.sip.exchange(channel, (branch) =>
        buildRequest({
          method: 'PUBLISH',
          uri: publisher.aor,
          via: channel.via,
          branch,
          from: `<${publisher.aor}>;tag=${publisher.callId}`,
          to: `<${publisher.aor}>`,
          callId: publisher.callId,
          cseq: ++publisher.cseq,
          headers: ['Event: presence', `Expires: ${PUBLICATION_EXPIRES_S}`, ...(etag === undefined ? [] : [`SIP-If-Match: ${etag}`])],
          contentType: 'application/pidf+xml',
          body,
        }),
      );
      const { response, retransmitted } = answer;
      publisher.history.push(`${seq}:${response?.status ?? 'timeout'}@${Date.now() - sentAt}ms`);
      if (publisher.history.length > HISTORY) publisher.history.shift();
      if (response !== undefined && response.status >= 200 && response.status < 300) {
        publisher.ackedSeq = Math.max(publisher.ackedSeq, seq);
        publisher.etag = response.headers.get('sip-etag') ?? publisher.etag;
        publisher.since2xx = 'acknowledged';
        this.ledger.publishOk();
        return true;
      }
      if (response?.status === 412) {
        await this.judgePreconditionFailure(publisher, seq, retransmitted);
        // RFC 3903 §6: the entity-tag is unknown: start a new publication.
        publisher.etag = undefined;
        publisher.tupleId = this.sip.newId('t');
        publisher.since2xx = 'uncertain';
      } else if (response?.status === 503) {
        if (publisher.since2xx === 'acknowledged') publisher.since2xx = 'only-503';
      } else publisher.since2xx = 'uncertain';
      this.ledger.trouble('publish-failed', sentAt, response?.status ?? 'timeout');
      return false;
    } finally {
      this.publishing.delete(publisher.index);
    }
  }

  /**
   * A 412 to the entity-tag of the last 2xx: the store says whether the
   * acknowledged publication is gone (a violation), or a later PUBLISH that
   * was answered 503 was applied after all and moved the entity-tag.
   */
  private async judgePreconditionFailure(publisher: Publisher, seq: number, retransmitted: boolean): Promise<void> {
    if (publisher.since2xx === 'uncertain') return;
    const stored = await this.fetchStored(publisher.aor, publisher.index);
    const detail = `${publisher.aor}: PUBLISH seq ${seq} got 412 (last 2xx: seq ${publisher.ackedSeq}; stored now: seq ${stored ?? 'unreadable'}); answers: ${publisher.history.join(' ')}`;
    if (stored === undefined || stored > publisher.ackedSeq) {
      // A copy that reached an edge which died before answering, or a PUBLISH answered 503, was applied after all.
      if (retransmitted || stored === undefined) this.ambiguousPreconditionFailures++;
      else this.appliedDespite503.push(detail);
    } else {
      this.lostAcknowledged++;
      this.ledger.violate('no acknowledged publication lost', detail);
    }
  }
}
