import { LatencyHistogram, type LatencySummary } from '../stats/latency-histogram.js';
import {
  emptyStepCounts,
  emptySubscribeCounts,
  sumCounts,
  type StepCounts,
  type StepReport,
  type SubscribePhaseCounts,
  type SubscribePhaseReport,
  type WorkerHealth,
} from '../stats/phase-stats.js';
import type { Endpoint, TransportName } from '../transport/channel.js';
import type { PidfSize } from '../sip/rich-pidf.js';
import type { PublishResult, UnsubscribeResult, WorkerConfig } from '../worker/protocol.js';
import type { WatcherProfile } from '../worker/watcher-profile.js';
import { ownedIndices } from '../worker/workload-grid.js';
import { WorkerPool } from './worker-pool.js';

export interface WorkloadOptions {
  /** Prefix of every AOR and Call-ID of the run (newRunId), so runs against one server never meet. */
  readonly runId: string;
  readonly transport: TransportName;
  readonly presentities: number;
  readonly watchers: number;
  readonly workers: number;
  readonly perSocket: number;
  readonly register: boolean;
  /** The password of the run's users (--auth digest); undefined: no authentication. */
  readonly digestPassword: string | undefined;
  readonly expires: number;
  readonly timeoutMs: number;
  readonly t1Ms: number;
  readonly concurrency: number;
  readonly initialNotifyWaitMs: number;
  /** --watcher-profile: what the watchers ask for (undefined: plain watchers, no refresh round). */
  readonly profile?: WatcherProfile;
  /** --status-every: one PUBLISH in N turns the basic status (undefined: every one). */
  readonly statusEvery?: number;
  /** --pidf-size: the document each PUBLISH carries (undefined: small). */
  readonly pidfSize?: PidfSize;
  readonly localHost: string;
  /** Domain of every AOR; undefined: the first endpoint's host. */
  readonly domain: string | undefined;
}

export interface SubscribeSummary extends SubscribePhaseCounts {
  readonly subscriptions: number;
  readonly subscribesPerSecond: number;
  readonly subscribeRtt: LatencySummary;
}

export interface StepSummary extends StepCounts {
  readonly step: number;
  readonly targetRate: number;
  readonly durationS: number;
  /** Accepted PUBLISH (2xx) per second of the window. */
  readonly publishPerSecond: number;
  /** NOTIFYs received inside the window, per second. */
  readonly notifyPerSecond: number;
  /** Accepted PUBLISHes × watchers per presentity: the NOTIFYs owed without coalescing. */
  readonly expectedNotifies: number;
  /** (publish errors + timeouts + send failures) / PUBLISHes attempted. */
  readonly publishErrorRate: number;
  /** Stale + terminated subscriptions / subscriptions checked. */
  readonly notifyLossRate: number;
  /** (watcher, change) pairs whose NOTIFY arrived / pairs owed; 1 when nothing was owed. */
  readonly deliveredRate: number;
  readonly latency: LatencySummary;
  readonly publishRtt: LatencySummary;
  /** CPU seconds the target's processes used over the step (window and drain), and that wall time; set by the run when /proc allows. */
  readonly serverCpu?: {
    readonly cpuSeconds: number;
    readonly wallSeconds: number;
    /** cpuSeconds split by process (edge-N, agent-N, nats-server, redis-server, standalone...): the cost of each hop. */
    readonly byProcess?: Readonly<Record<string, number>>;
  };
}

export type Progress = (line: string) => void;

/** What drives the workload: the native worker processes (LoadSession) or SIPp (sipp/sipp-session.ts). */
export interface GeneratorSession {
  /** Generator processes, for the report. */
  readonly workers: number;
  subscribe(): Promise<SubscribeSummary>;
  /** One PUBLISH step at `rate` for `durationS`, then a drain of at most `drainS`. */
  step(step: number, rate: number, durationS: number, drainS: number): Promise<StepSummary>;
  unsubscribe(): Promise<UnsubscribeResult>;
  health(): Promise<WorkerHealth>;
  close(): Promise<void>;
}

/**
 * A subscribed population of watchers and publishers on worker processes,
 * driven phase by phase: subscribe once, then any number of PUBLISH steps
 * (each: timed window, then drain), then optionally unsubscribe.
 */
export class LoadSession implements GeneratorSession {
  private constructor(
    private readonly pool: WorkerPool,
    private readonly options: WorkloadOptions,
    private readonly publishersPerWorker: number[],
    private readonly progress: Progress,
  ) {}

  static async open(endpoints: readonly Endpoint[], options: WorkloadOptions, progress: Progress): Promise<LoadSession> {
    if (endpoints.length === 0) throw new Error('the target has no endpoint for this transport');
    const workers = Math.max(1, Math.min(options.workers, options.presentities * options.watchers));
    const configs: WorkerConfig[] = Array.from({ length: workers }, (_, workerIndex) => ({
      workerIndex,
      workers,
      runId: options.runId,
      transport: options.transport,
      endpoints,
      localHost: options.localHost,
      domain: options.domain ?? endpoints[0]!.host,
      presentities: options.presentities,
      watchers: options.watchers,
      perSocket: options.perSocket,
      register: options.register,
      digestPassword: options.digestPassword,
      expires: options.expires,
      timeoutMs: options.timeoutMs,
      t1Ms: options.t1Ms,
      concurrency: options.concurrency,
      initialNotifyWaitMs: options.initialNotifyWaitMs,
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.statusEvery === undefined ? {} : { statusEvery: options.statusEvery }),
      ...(options.pidfSize === undefined ? {} : { pidfSize: options.pidfSize }),
    }));
    const pool = await WorkerPool.start(configs);
    const perWorker = configs.map((c) => ownedIndices(options.presentities, c.workerIndex, workers).length);
    return new LoadSession(pool, options, perWorker, progress);
  }

  get workers(): number {
    return this.pool.size;
  }

  async subscribe(): Promise<SubscribeSummary> {
    const reports = await this.pool.all<SubscribePhaseReport>({ type: 'subscribe' });
    const counts = sumCounts(emptySubscribeCounts(), reports);
    const subscriptions = this.options.presentities * this.options.watchers;
    return {
      ...counts,
      subscriptions,
      subscribesPerSecond: counts.durationMs > 0 ? (counts.subscribed * 1000) / counts.durationMs : 0,
      subscribeRtt: LatencyHistogram.from(reports.map((r) => r.subscribeRtt)).summary(),
    };
  }

  /** One PUBLISH step at `rate` for `durationS`, then a drain of at most `drainS`. */
  async step(step: number, rate: number, durationS: number, drainS: number): Promise<StepSummary> {
    const startAt = Date.now() + 200;
    const durationMs = durationS * 1000;
    const total = this.options.presentities;
    const ticker = this.startProgress(step, rate);
    let published: PublishResult[];
    try {
      published = await this.pool.each<PublishResult>(
        this.publishersPerWorker.map((owned) => ({ type: 'publish', command: { step, rate: (rate * owned) / total, startAt, durationMs } })),
      );
    } finally {
      clearInterval(ticker);
    }
    const accepted = published.flatMap((r) => r.accepted);
    const reports = await this.pool.all<StepReport>({ type: 'drain', command: { accepted, deadlineMs: drainS * 1000 } });
    const counts = sumCounts(emptyStepCounts(), reports);
    const attempted = counts.publishSent + counts.sendFailures;
    return {
      ...counts,
      step,
      targetRate: rate,
      durationS,
      publishPerSecond: counts.publishAccepted / durationS,
      notifyPerSecond: counts.notifiesInWindow / durationS,
      expectedNotifies: counts.publishAccepted * this.options.watchers,
      publishErrorRate: attempted === 0 ? 0 : (counts.publishErrors + counts.publishTimeouts + counts.sendFailures) / attempted,
      notifyLossRate: counts.checked === 0 ? 0 : (counts.stale + counts.terminated) / counts.checked,
      deliveredRate: counts.changesOwed === 0 ? 1 : counts.changesDelivered / counts.changesOwed,
      latency: LatencyHistogram.from(reports.map((r) => r.latency)).summary(),
      publishRtt: LatencyHistogram.from(reports.map((r) => r.publishRtt)).summary(),
    };
  }

  async unsubscribe(): Promise<UnsubscribeResult> {
    const results = await this.pool.all<UnsubscribeResult>({ type: 'unsubscribe' });
    return sumCounts({ sent: 0, ok: 0, failed: 0, timeouts: 0, challengesAnswered: 0, staleChallenges: 0 }, results);
  }

  async health(): Promise<WorkerHealth> {
    return sumCounts({ unparsable: 0, channelsClosed: 0, retransmissions: 0 }, await this.pool.all<WorkerHealth>({ type: 'health' }));
  }

  close(): Promise<void> {
    return this.pool.stop();
  }

  /** A line per second on stderr while a step runs: what the workers have counted so far. */
  private startProgress(step: number, rate: number): NodeJS.Timeout {
    let last = { publishAccepted: 0, notifies: 0 };
    let seconds = 0;
    return setInterval(() => {
      const now = this.pool.progress(step);
      seconds++;
      this.progress(
        `  step ${step} @ ${rate}/s, ${seconds} s: PUBLISH accepted ${now.publishAccepted - last.publishAccepted}/s, NOTIFY ${now.notifies - last.notifies}/s`,
      );
      last = now;
    }, 1000);
  }
}
