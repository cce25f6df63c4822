import { buildRequest, buildResponse } from '../sip/build-message.js';
import type { SipMessage } from '../sip/sip-message.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { Channel, Endpoint } from '../transport/channel.js';
import { UdpChannel } from '../transport/udp-channel.js';
import type { CreationStep, CreationWorkload } from './creation-step.js';
import { RetransmitSchedule } from './retransmit-schedule.js';

export interface NativeCreationOptions {
  readonly workload: CreationWorkload;
  /** Prefix of every AOR and Call-ID, unique per run. */
  readonly runId: string;
  readonly domain: string;
  readonly localHost: string;
  /** subscribe-setup: the presentities the new dialogs watch, in turn. */
  readonly presentities: number;
  readonly expires: number;
  /** RFC 3261 T1 (Timer E starts there and doubles up to T2). */
  readonly t1Ms: number;
  /** After the window, how long the last requests get to complete. */
  readonly timeoutMs: number;
  /** UDP sockets the requests go out on, in turn: several source ports, as many phones would be. */
  readonly sockets: number;
}

/** RFC 3261 T2: Timer E stops doubling here. */
const T2_MS = 4000;
/**
 * Sends and retransmissions are paced every millisecond, as SIPp paces its
 * calls: a server reading a few dozen datagrams per event-loop turn (Node's
 * UDP reads) takes a burst as overload, and a 10 ms tick at 16,000/s would
 * be bursts of 160.
 */
const TICK_MS = 1;

interface Pending {
  readonly callId: string;
  readonly sentAt: number;
  readonly text: string;
  readonly channel: Channel;
  answered: boolean;
  notifiedAt: number | undefined;
}

/**
 * Our generator for the creation workloads, in the bench's own process over
 * UDP: requests started at a steady rate, each a new
 * presentity's initial PUBLISH or a new watcher's SUBSCRIBE, retransmitted
 * as RFC 3261 §17.1.2 says until a final answer, and every NOTIFY answered
 * 200. One instance per target, one step at a time.
 */
export class NativeCreationGenerator {
  private readonly pending = new Map<string, Pending>();
  private readonly retransmissions: RetransmitSchedule<Pending>;
  private serial = 0;
  private counts = freshCounts();

  private constructor(
    private readonly options: NativeCreationOptions,
    private readonly channels: readonly Channel[],
  ) {
    this.retransmissions = new RetransmitSchedule(options.t1Ms, T2_MS);
  }

  static async open(endpoint: Endpoint, options: NativeCreationOptions): Promise<NativeCreationGenerator> {
    const channels: Channel[] = [];
    let generator: NativeCreationGenerator | undefined;
    const events = {
      onMessage: (message: SipMessage, reply: (text: string) => void) => generator?.onMessage(message, reply),
      onUnparsable: () => undefined,
      onClosed: () => undefined,
    };
    for (let i = 0; i < Math.max(1, options.sockets); i++) channels.push(await UdpChannel.open(endpoint, options.localHost, events));
    generator = new NativeCreationGenerator(options, channels);
    return generator;
  }

  /** New requests at `rate` for `durationS`, then up to timeoutMs for the last ones to complete. */
  async step(rate: number, durationS: number): Promise<CreationStep> {
    this.counts = freshCounts();
    this.pending.clear();
    this.retransmissions.clear();
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const windowEnd = startedAt + durationS * 1000;
    let sent = 0;
    const planned = Math.round(rate * durationS);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        // Sends follow the clock, not the ticks: a late tick (a busy box) catches up in full, as SIPp does.
        const due = Math.min(planned, Math.ceil(((now - startedAt) * rate) / 1000)) - sent;
        for (let i = 0; i < due; i++) this.start(now);
        sent += Math.max(0, due);
        this.counts.retransmissions += this.retransmissions.due(now, this.retransmit);
        if (sent >= planned && (this.pending.size === 0 || now - windowEnd >= this.options.timeoutMs)) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    const unfinished = this.pending.size;
    this.pending.clear();
    this.retransmissions.clear();
    const wallMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      targetRate: rate,
      windowS: durationS,
      attempted: sent,
      completed: this.counts.setup.count,
      errorCodes: this.counts.errorCodes,
      unfinished,
      retransmissions: this.counts.retransmissions,
      setup: this.counts.setup.summary(),
      generatorCpuPctMax: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.close()));
  }

  private start(now: number): void {
    const n = this.serial++;
    const channel = this.channels[n % this.channels.length]!;
    const { runId, domain, workload, expires } = this.options;
    const callId = `${runId}-${n}`;
    const common = { via: channel.via, branch: `z9hG4bK${runId}-${n}`, callId, cseq: 1 };
    let text: string;
    if (workload === 'publish-new') {
      const aor = `sip:${runId}-p${n}@${domain}`;
      text = buildRequest({
        ...common,
        method: 'PUBLISH',
        uri: aor,
        from: `<${aor}>;tag=n${n}`,
        to: `<${aor}>`,
        headers: ['Event: presence', `Expires: ${expires}`],
        contentType: 'application/pidf+xml',
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${aor}"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`,
      });
    } else {
      const watcher = `${runId}-w${n}`;
      const presentity = `sip:${runId}-p${n % this.options.presentities}@${domain}`;
      text = buildRequest({
        ...common,
        method: 'SUBSCRIBE',
        uri: presentity,
        from: `<sip:${watcher}@${domain}>;tag=s${n}`,
        to: `<${presentity}>`,
        contact: channel.contact(watcher),
        headers: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${expires}`],
      });
    }
    const request: Pending = { callId, sentAt: now, text, channel, answered: false, notifiedAt: undefined };
    this.pending.set(callId, request);
    this.retransmissions.schedule(request, now);
    channel.send(text);
  }

  /** Timer E: again while no final answer came (a request of an earlier step is gone from `pending`). */
  private readonly retransmit = (request: Pending): boolean => {
    if (request.answered || this.pending.get(request.callId) !== request) return false;
    request.channel.send(request.text);
    return true;
  };

  private onMessage(message: SipMessage, reply: (text: string) => void): void {
    if (message.status === 0) {
      // Every NOTIFY gets its 200, a late one of an earlier step too: the server must not keep retransmitting it.
      if (message.method === 'NOTIFY') {
        reply(buildResponse(message, 200, 'OK'));
        const request = this.pending.get(message.callId);
        if (request !== undefined && request.notifiedAt === undefined) {
          request.notifiedAt = performance.now();
          if (request.answered) this.complete(message.callId, request, request.notifiedAt);
        }
      } else {
        reply(buildResponse(message, 405, 'Method Not Allowed'));
      }
      return;
    }
    if (message.status < 200) return;
    const request = this.pending.get(message.callId);
    if (request === undefined || request.answered) return;
    if (message.status >= 300) {
      this.pending.delete(message.callId);
      const code = String(message.status);
      this.counts.errorCodes[code] = (this.counts.errorCodes[code] ?? 0) + 1;
      return;
    }
    request.answered = true;
    const now = performance.now();
    if (this.options.workload === 'publish-new' || request.notifiedAt !== undefined) this.complete(message.callId, request, now);
  }

  private complete(callId: string, request: Pending, doneAt: number): void {
    this.pending.delete(callId);
    this.counts.setup.recordMs(doneAt - request.sentAt);
  }
}

function freshCounts(): { setup: LatencyHistogram; errorCodes: Record<string, number>; retransmissions: number } {
  return { setup: new LatencyHistogram(), errorCodes: {}, retransmissions: 0 };
}
