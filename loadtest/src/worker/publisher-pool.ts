import { TokenBucket } from '../rate/token-bucket.js';
import { buildRequest } from '../sip/build-message.js';
import { preciseNowMs, timestampNowMs } from '../sip/pidf-timestamp.js';
import { pidfBody } from '../sip/rich-pidf.js';
import { countCode } from '../stats/phase-stats.js';
import type { Channel } from '../transport/channel.js';
import type { PublishCommand, PublishResult } from './protocol.js';
import type { AttemptBuilder, AuthenticatedAs } from './authenticating-sender.js';
import { RingQueue } from './ring-queue.js';
import { sleep } from '@presence/dev-tools';
import { channelsNeeded, type ChannelOpener, type WorkerContext } from './worker-context.js';
import { ownedIndices, presentityUser, publisherEndpoint, type GridShape } from './workload-grid.js';

/** Pacing tick: short enough for smooth pacing, long enough to batch at high rates. */
const TICK_MS = 5;
/** Tokens a late tick may catch up on, in seconds of rate. */
const BURST_SECONDS = 0.05;

interface Publisher {
  readonly index: number;
  readonly aor: string;
  readonly channel: Channel;
  /** RFC 3903 §4: a PUBLISH acts for its Request-URI, the presentity; the user it authenticates as. */
  readonly as: AuthenticatedAs;
  cseq: number;
  /** RFC 3903 §4.1: the entity-tag of our publication, sent back in SIP-If-Match to modify it. */
  etag: string | undefined;
  open: boolean;
  /** Send times of the PUBLISHes the server accepted in this step. */
  acceptedTs: number[];
}

/**
 * One publisher per presentity, one PUBLISH outstanding each (the next
 * needs the entity-tag of the previous 200). A token bucket paces the
 * worker's share of the target rate; free publishers take turns (FIFO), so
 * each presentity publishes at rate / P and alternates open / closed.
 */
export class PublisherPool {
  private readonly publishers: Publisher[] = [];
  private readonly idle = new RingQueue<Publisher>();
  private busy = 0;
  /** PUBLISHes this worker sent: every --status-every-th of them turns its presentity's basic status. */
  private sent = 0;

  private constructor(private readonly ctx: WorkerContext) {}

  static async create(ctx: WorkerContext, shape: GridShape, open: ChannelOpener): Promise<PublisherPool> {
    const pool = new PublisherPool(ctx);
    const { config } = ctx;
    const owned = ownedIndices(config.presentities, config.workerIndex, config.workers);
    const perEndpoint = Array.from({ length: shape.endpoints }, () => [] as number[]);
    for (const p of owned) perEndpoint[publisherEndpoint(shape, p)]!.push(p);
    const channels = await Promise.all(perEndpoint.map((members, e) => open(e, channelsNeeded(members.length, config.perSocket))));
    perEndpoint.forEach((members, e) =>
      members.forEach((p, i) => {
        const aor = `sip:${presentityUser(config.runId, p)}@${config.domain}`;
        const publisher: Publisher = {
          index: p,
          aor,
          channel: channels[e]![Math.floor(i / config.perSocket)]!,
          as: { aor, method: 'PUBLISH', uri: aor },
          cseq: 0,
          etag: undefined,
          open: false,
          acceptedTs: [],
        };
        pool.publishers.push(publisher);
        pool.idle.push(publisher);
      }),
    );
    return pool;
  }

  get size(): number {
    return this.publishers.length;
  }

  /** Runs one publish window, then waits (bounded) for the PUBLISHes still outstanding. */
  async run(command: PublishCommand): Promise<PublishResult> {
    const step = this.ctx.step;
    for (const publisher of this.publishers) publisher.acceptedTs = [];
    const wait = command.startAt - Date.now();
    if (wait > 0) await sleep(wait);
    const start = preciseNowMs();
    const end = start + command.durationMs;
    const bucket = new TokenBucket(command.rate, Math.max(1, command.rate * BURST_SECONDS));
    bucket.take(start);
    step.windowOpen = true;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = preciseNowMs();
        if (now >= end) {
          clearInterval(timer);
          resolve();
          return;
        }
        let tokens = bucket.take(now);
        while (tokens > 0) {
          const publisher = this.idle.shift();
          if (publisher === undefined) {
            step.counts.publishSkipped += tokens;
            break;
          }
          this.publish(publisher);
          tokens--;
        }
      }, TICK_MS);
    });
    step.windowOpen = false;
    const settleBy = preciseNowMs() + this.ctx.config.timeoutMs + 500;
    while (this.busy > 0 && preciseNowMs() < settleBy) await sleep(10);
    return {
      accepted: this.publishers.filter((p) => p.acceptedTs.length > 0).map((p) => [p.index, p.acceptedTs.sort((a, b) => a - b)] as const),
    };
  }

  private publish(publisher: Publisher): void {
    const { config } = this.ctx;
    const step = this.ctx.step;
    // --status-every N: one PUBLISH in N (of this worker's, spread over its presentities) turns the basic status; the others change only the note (its timestamp).
    if (this.sent++ % (config.statusEvery ?? 1) === 0) publisher.open = !publisher.open;
    const sentAt = timestampNowMs();
    const headers = ['Event: presence', `Expires: ${config.expires}`];
    if (publisher.etag !== undefined) headers.push(`SIP-If-Match: ${publisher.etag}`);
    const body = pidfBody(config.pidfSize ?? 'small', publisher.aor, publisher.open ? 'open' : 'closed', sentAt);
    // An answer to a challenge carries the same document and stamp: its latency counts the challenge's round trip.
    const build: AttemptBuilder = (branch, authorization) =>
      buildRequest({
        method: 'PUBLISH',
        uri: publisher.aor,
        via: publisher.channel.via,
        branch,
        from: `<${publisher.aor}>;tag=p${publisher.index}`,
        to: `<${publisher.aor}>`,
        callId: `${config.runId}p${publisher.index}`,
        cseq: ++publisher.cseq,
        headers,
        authorization,
        contentType: 'application/pidf+xml',
        body,
      });
    const sent = this.ctx.requests.send(publisher.channel, publisher.as, build, step.counts, (response) => {
      this.busy--;
      this.idle.push(publisher);
      const counts = this.ctx.step.counts;
      if (response === undefined) {
        counts.publishTimeouts++;
      } else if (response.status < 300) {
        counts.publishAccepted++;
        this.ctx.step.publishRtt.recordMs(preciseNowMs() - sentAt);
        publisher.etag = response.headers.get('sip-etag') ?? publisher.etag;
        if (sentAt >= step.startTs) publisher.acceptedTs.push(sentAt);
      } else {
        counts.publishErrors++;
        countCode(counts.errorCodes, response.status);
        // RFC 3903 §6: 412 means our entity-tag is unknown (expired); start a new publication.
        if (response.status === 412) publisher.etag = undefined;
      }
    });
    if (sent) {
      this.busy++;
      step.counts.publishSent++;
    } else {
      step.counts.sendFailures++;
      this.idle.push(publisher);
    }
  }
}
