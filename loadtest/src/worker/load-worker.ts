import { buildResponse } from '../sip/build-message.js';
import { preciseNowMs } from '../sip/pidf-timestamp.js';
import { topBranch, type SipMessage } from '../sip/sip-message.js';
import type { StepReport, WorkerHealth } from '../stats/phase-stats.js';
import type { Channel, ChannelEvents, Reply } from '../transport/channel.js';
import { openChannel } from '../transport/open-channel.js';
import type { ParentRequest, WorkerConfig, WorkerResult } from './protocol.js';
import { PublisherPool } from './publisher-pool.js';
import { WatcherPool } from './watcher-pool.js';
import { WorkerContext } from './worker-context.js';

/** Retransmission and timeout granularity. */
const SWEEP_MS = 50;
/** Channels opened at once while starting (a burst of TCP/WS connects is what servers throttle). */
const OPEN_BATCH = 50;

/**
 * One load generator process: its channels, its watchers and publishers,
 * and the request/response plumbing between them. Driven by the parent one
 * phase at a time (see protocol.ts).
 */
export class LoadWorker {
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly ctx: WorkerContext,
    private readonly watchers: WatcherPool,
    private readonly publishers: PublisherPool,
    private readonly channels: Channel[],
    private readonly health: WorkerHealth,
  ) {
    this.sweeper = setInterval(() => ctx.transactions.sweep(preciseNowMs()), SWEEP_MS);
  }

  static async create(config: WorkerConfig): Promise<LoadWorker> {
    const ctx = new WorkerContext(config);
    const shape = { runId: config.runId, presentities: config.presentities, watchers: config.watchers, workers: config.workers, endpoints: config.endpoints.length };
    const channels: Channel[] = [];
    // Messages can arrive while later channels are still opening: they wait for `worker`.
    let worker: LoadWorker | undefined;
    const health: WorkerHealth = { unparsable: 0, channelsClosed: 0, retransmissions: 0 };
    const events: ChannelEvents = {
      onMessage: (message, reply) => worker?.dispatch(message, reply),
      onUnparsable: () => void health.unparsable++,
      onClosed: () => void health.channelsClosed++,
    };
    const open = async (endpointIndex: number, count: number): Promise<Channel[]> => {
      const endpoint = config.endpoints[endpointIndex]!;
      const opened: Channel[] = [];
      for (let i = 0; i < count; i += OPEN_BATCH) {
        const batch = Math.min(OPEN_BATCH, count - i);
        opened.push(...(await Promise.all(Array.from({ length: batch }, () => openChannel(config.transport, endpoint, config.localHost, events)))));
      }
      channels.push(...opened);
      return opened;
    };
    const watchers = await WatcherPool.create(ctx, shape, open);
    const publishers = await PublisherPool.create(ctx, shape, open);
    worker = new LoadWorker(ctx, watchers, publishers, channels, health);
    return worker;
  }

  get channelCount(): number {
    return this.channels.length;
  }

  /** The current step's NOTIFY and accepted PUBLISH counts, for the parent's progress line. */
  progress(): { step: number; publishAccepted: number; notifies: number } {
    const { step, counts } = this.ctx.step;
    return { step, publishAccepted: counts.publishAccepted, notifies: counts.notifies };
  }

  async handle(request: ParentRequest): Promise<WorkerResult> {
    switch (request.type) {
      case 'init':
        return { channels: this.channels.length };
      case 'subscribe':
        return this.watchers.subscribeAll();
      case 'publish':
        this.ctx.beginStep(request.command.step, request.command.startAt);
        return this.publishers.run(request.command);
      case 'drain': {
        await this.watchers.drain(request.command);
        const { counts, latency, publishRtt, cpuAtStart, wallAtStart } = this.ctx.step;
        const cpu = process.cpuUsage(cpuAtStart);
        const pct = ((cpu.user + cpu.system) / 1000 / Math.max(1, performance.now() - wallAtStart)) * 100;
        counts.generatorCpuPct = pct;
        counts.workerCpuPctMax = pct;
        const report: StepReport = { ...counts, latency: latency.snapshot(), publishRtt: publishRtt.snapshot() };
        return report;
      }
      case 'unsubscribe':
        return this.watchers.unsubscribeAll();
      case 'health':
        return { ...this.health, retransmissions: this.ctx.transactions.retransmissions };
      case 'stop':
        await this.close();
        return null;
    }
  }

  private dispatch(message: SipMessage, reply: Reply): void {
    const now = preciseNowMs();
    if (message.status > 0) {
      const branch = topBranch(message);
      if (branch !== undefined) this.ctx.transactions.onResponse(branch, message, now);
      return;
    }
    if (message.method === 'NOTIFY') return this.watchers.onNotify(message, reply, now);
    // Anything else (OPTIONS keep-alives, MESSAGE…) gets a plain 200; ACK is never answered.
    if (message.method !== 'ACK') reply(buildResponse(message, 200, 'OK'));
  }

  private async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.ctx.transactions.abandonAll();
    this.ctx.requests.clear();
    await Promise.all(this.channels.map((channel) => channel.close()));
  }
}
