import { buildRequest } from '../sip/build-message.js';
import { pidfWithTimestamp, timestampNowMs } from '../sip/pidf-timestamp.js';
import type { Channel } from '../transport/channel.js';
import type { RequestKind } from './soak-stats.js';
import { chance, jitter, pause, type SoakContext } from './soak-workload.js';

/** Of the PUBLISHes on an existing publication: modify (new document), refresh (no body), remove; the rest let it expire. */
const MODIFY = 0.7;
const REFRESH = 0.15;
const REMOVE = 0.07;

/**
 * The publisher of one presentity for its life (RFC 3903): creates a
 * publication, then mostly modifies it (SIP-If-Match with the last
 * SIP-ETag), sometimes refreshes it without a body, removes it (Expires: 0)
 * or goes quiet until it expires on the server, then starts a new one. At
 * the end it removes it or leaves it to expire, half the time each.
 */
export class SoakPublisher {
  private readonly channel: Channel;
  private readonly aor: string;
  private cseq = 0;
  private etag: string | undefined;
  private open = false;

  constructor(
    private readonly ctx: SoakContext,
    key: number,
    private readonly user: string,
  ) {
    this.channel = ctx.client.channelFor(key);
    this.aor = `sip:${user}@${ctx.domain}`;
  }

  async run(untilMs: number): Promise<void> {
    const { workload, signal } = this.ctx;
    const intervalMs = (workload.presentities / workload.publishRate) * 1000;
    while (!signal.aborted && Date.now() < untilMs) {
      await pause(jitter(intervalMs, 0.5, 1.5), signal);
      if (signal.aborted) return;
      if (this.etag === undefined) {
        await this.publish('publish', workload.publishExpiresS, true);
        continue;
      }
      const roll = Math.random();
      if (roll < MODIFY) await this.publish('publish', workload.publishExpiresS, true);
      else if (roll < MODIFY + REFRESH) await this.publish('publish', workload.publishExpiresS, false);
      else if (roll < MODIFY + REFRESH + REMOVE) await this.publish('unpublish', 0, false);
      else await this.goQuiet();
    }
    if (signal.aborted || this.etag === undefined) return;
    if (chance(0.5)) await this.publish('unpublish', 0, false);
  }

  /** Sends nothing until the publication has expired on the server (its expiry sweep's work). */
  private async goQuiet(): Promise<void> {
    this.etag = undefined;
    await pause((this.ctx.workload.publishExpiresS + 3) * 1000, this.ctx.signal);
  }

  private async publish(kind: RequestKind, expires: number, withDocument: boolean): Promise<void> {
    const headers = ['Event: presence', `Expires: ${expires}`];
    if (this.etag !== undefined) headers.push(`SIP-If-Match: ${this.etag}`);
    let body: string | undefined;
    if (withDocument) {
      this.open = !this.open;
      body = pidfWithTimestamp(this.aor, this.open ? 'open' : 'closed', timestampNowMs());
    }
    this.ctx.stats.sent(kind);
    const { outcome, response } = await this.ctx.client.request(this.channel, { aor: this.aor, method: 'PUBLISH', uri: this.aor }, (branch) =>
      buildRequest({
        method: 'PUBLISH',
        uri: this.aor,
        via: this.channel.via,
        branch,
        from: `<${this.aor}>;tag=p${this.user}`,
        to: `<${this.aor}>`,
        callId: `${this.ctx.runId}p${this.user}`,
        cseq: ++this.cseq,
        headers,
        ...(body === undefined ? {} : { contentType: 'application/pidf+xml', body }),
      }),
    );
    this.ctx.stats.ended(kind, outcome);
    if (expires === 0 || outcome === 412) this.etag = undefined;
    else if (typeof outcome === 'number' && outcome < 300) this.etag = response?.headers.get('sip-etag') ?? this.etag;
  }
}
