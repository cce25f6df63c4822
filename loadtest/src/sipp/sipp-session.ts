import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '@presence/dev-tools';
import type { GeneratorSession, Progress, StepSummary, SubscribeSummary } from '../coordinator/load-session.js';
import { stopOnAbort } from '../modes/abort-cleanup.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { emptySubscribeCounts, type WorkerHealth } from '../stats/phase-stats.js';
import type { Endpoint } from '../transport/channel.js';
import type { UnsubscribeResult } from '../worker/protocol.js';
import { presentityUser, watcherUser } from '../worker/workload-grid.js';
import { LogTail, SippProcess } from './sipp-process.js';
import { SippTally } from './sipp-tally.js';
import { subscribePhase } from './sipp-subscribe.js';

export interface SippWorkloadOptions {
  readonly runId: string;
  readonly presentities: number;
  readonly watchers: number;
  /** Watcher SIPp processes; each runs a share of the subscriptions on its own UDP socket. */
  readonly processes: number;
  readonly localHost: string;
  readonly timeoutMs: number;
  readonly initialNotifyWaitMs: number;
}

/** New SUBSCRIBE dialogs per second per watcher process (-r) in the subscribe phase. */
const SUBSCRIBE_RATE_PER_PROCESS = 1000;
const POLL_MS = 250;

/**
 * The workload of the native generator, driven by SIPp processes running
 * loadtest/sipp/watcher.xml (one call per subscription, for the whole run)
 * and loadtest/sipp/publisher.xml (one process per step: one call per
 * presentity, each modifying its publication in turn). Figures come from the
 * lines the scenarios log and from SIPp's statistics files.
 */
export class SippSession implements GeneratorSession {
  private readonly tally = new SippTally();
  private readonly unregister: () => void;

  private constructor(
    private readonly target: Endpoint,
    private readonly options: SippWorkloadOptions,
    private readonly workDir: string,
    private readonly watcherProcesses: readonly SippProcess[],
    private readonly tails: readonly LogTail[],
    private readonly progress: Progress,
  ) {
    this.unregister = stopOnAbort(() => this.close());
  }

  static async open(endpoints: readonly Endpoint[], options: SippWorkloadOptions, progress: Progress): Promise<SippSession> {
    const target = endpoints[0];
    if (target === undefined) throw new Error('the target has no UDP endpoint');
    const workDir = await mkdtemp(join(tmpdir(), 'bench-sipp-'));
    const total = options.presentities * options.watchers;
    const count = Math.max(1, Math.min(options.processes, total));
    const processes: SippProcess[] = [];
    for (let k = 0; k < count; k++) {
      const lines = ['SEQUENTIAL'];
      for (let s = k; s < total; s += count) lines.push(`${watcherUser(options.runId, s)};${presentityUser(options.runId, Math.floor(s / options.watchers))}`);
      const fieldFile = join(workDir, `watchers-${k}.csv`);
      await writeFile(fieldFile, `${lines.join('\n')}\n`);
      // -l: every call stays open for the whole run; SIPp's default cap on open calls (3,000) would stop the rest.
      const calls = String(lines.length - 1);
      const args = ['-inf', fieldFile, '-m', calls, '-l', calls, '-r', String(SUBSCRIBE_RATE_PER_PROCESS), ...endpointArgs(options.localHost, await freePort('udp'), target)];
      processes.push(SippProcess.start(`sipp watcher ${k}`, 'watcher', join(workDir, `watcher-${k}`), args));
    }
    const tails = processes.map((p) => new LogTail(p.logFile));
    return new SippSession(target, options, workDir, processes, tails, progress);
  }

  get workers(): number {
    return this.watcherProcesses.length + 1;
  }

  async subscribe(): Promise<SubscribeSummary> {
    const total = this.options.presentities * this.options.watchers;
    const outcome = await subscribePhase(this.watcherProcesses, this.tails, this.tally, total, { ...this.options, ratePerProcess: SUBSCRIBE_RATE_PER_PROCESS });
    return {
      ...emptySubscribeCounts(),
      subscribeSent: total,
      subscribed: outcome.subscribed,
      subscribeFailed: outcome.failed - outcome.timeouts,
      subscribeTimeouts: outcome.timeouts,
      initialNotifies: outcome.initialNotifies,
      missingInitialNotifies: Math.max(0, outcome.subscribed - outcome.initialNotifies),
      // Answers SIPp retried (503 + Retry-After), as the native generator lists the codes it met.
      errorCodes: outcome.retriedCodes,
      durationMs: outcome.durationMs,
      subscriptions: total,
      subscribesPerSecond: outcome.durationMs > 0 ? (outcome.subscribed * 1000) / outcome.durationMs : 0,
      subscribeRtt: outcome.rtt.summary(),
    };
  }

  /** One PUBLISH step: a publisher process for about `durationS` (whole rounds) at `rate`, then a drain of at most `drainS`. */
  async step(step: number, rate: number, durationS: number, drainS: number): Promise<StepSummary> {
    await this.readWatchers(); // what came before the step (initial NOTIFYs, the last drain's stragglers)
    const { presentities: total, watchers } = this.options;
    const perStep = Math.max(1, Math.round(rate * durationS));
    const calls = Math.min(total, perStep);
    const rounds = Math.max(1, Math.round(perStep / total));
    // Each call publishes whole rounds at exactly `rate`, so the window is
    // the nearest whole number of rounds to `durationS` (within half a round).
    const windowS = calls < total ? calls / rate : (rounds * total) / rate;
    const lines = ['SEQUENTIAL'];
    for (let p = 0; p < calls; p++) lines.push(`${presentityUser(this.options.runId, p)};${this.tally.etagOf(presentityUser(this.options.runId, p)) ?? '-'}`);
    const prefix = join(this.workDir, `publisher-${step}`);
    await writeFile(`${prefix}.csv`, `${lines.join('\n')}\n`);
    const cpuBefore = await this.cpuSeconds();
    const windowStart = Date.now();
    this.tally.startStep(windowStart, windowStart + windowS * 1000);
    const args = ['-inf', `${prefix}.csv`, '-m', String(calls), '-l', String(calls), '-r', String(rate), '-d', String(Math.round((total * 1000) / rate)), '-set', 'rounds', String(rounds)];
    const publisher = SippProcess.start(`sipp publisher ${step}`, 'publisher', prefix, [...args, ...endpointArgs(this.options.localHost, await freePort('udp'), this.target)]);
    const publisherTail = new LogTail(publisher.logFile);
    const unregisterPublisher = stopOnAbort(() => publisher.stop());
    const deadline = windowStart + windowS * 1000 + this.options.timeoutMs;
    let publisherCpu = 0;
    let last = this.tally.progress();
    try {
      for (let second = 1; publisher.running && Date.now() < deadline; second++) {
        await publisher.waitExit(1000);
        publisherCpu = (await publisher.cpuSeconds()) ?? publisherCpu;
        this.tally.addPublisherLines(await publisherTail.readLines());
        await this.readWatchers();
        const now = this.tally.progress();
        this.progress(`  step ${step} @ ${rate}/s, ${second} s: PUBLISH accepted ${now.accepted - last.accepted}/s, NOTIFY ${now.notifies - last.notifies}/s`);
        last = now;
      }
    } finally {
      await publisher.stop();
      unregisterPublisher();
    }
    this.tally.addPublisherLines(await publisherTail.readLines());
    const publisherStats = await publisher.stats();
    const drainStart = Date.now();
    while (Date.now() - drainStart < drainS * 1000) {
      await this.readWatchers();
      if (this.tally.staleness().stale === 0) break;
      await sleep(POLL_MS);
    }
    const drainMs = Date.now() - drainStart;
    const wallS = (Date.now() - windowStart) / 1000;
    const cpuAfter = await this.cpuSeconds();
    const { counts, latency } = this.tally.counts(publisherStats['FailedCall(C)'] ?? 0, publisherStats['FailedMaxUDPRetrans(C)'] ?? 0);
    const perProcessPct = [...cpuAfter.map((after, i) => after - (cpuBefore[i] ?? 0)), publisherCpu].map((seconds) => (seconds * 100) / wallS);
    const attempted = counts.publishSent;
    return {
      ...counts,
      drainMs,
      generatorCpuPct: perProcessPct.reduce((a, b) => a + b, 0),
      workerCpuPctMax: Math.max(0, ...perProcessPct),
      step,
      targetRate: rate,
      durationS: windowS,
      publishPerSecond: counts.publishAccepted / windowS,
      notifyPerSecond: counts.notifiesInWindow / windowS,
      expectedNotifies: counts.publishAccepted * watchers,
      publishErrorRate: attempted === 0 ? 0 : (counts.publishErrors + counts.publishTimeouts) / attempted,
      notifyLossRate: counts.checked === 0 ? 0 : counts.stale / counts.checked,
      deliveredRate: counts.changesOwed === 0 ? 1 : counts.changesDelivered / counts.changesOwed,
      latency: latency.summary(),
      // SIPp's per-call response times would need an rtd timer per PUBLISH; not measured.
      publishRtt: new LatencyHistogram().summary(),
    };
  }

  unsubscribe(): Promise<UnsubscribeResult> {
    return Promise.reject(new Error('--unsubscribe: not with --generator sipp (the watcher scenario holds its dialogs until SIPp stops)'));
  }

  async health(): Promise<WorkerHealth> {
    let retransmissions = 0;
    for (const p of this.watcherProcesses) retransmissions += (await p.stats())['Retransmissions(C)'] ?? 0;
    return { unparsable: 0, channelsClosed: this.watcherProcesses.filter((p) => !p.running).length, retransmissions };
  }

  async close(): Promise<void> {
    this.unregister();
    await Promise.all(this.watcherProcesses.map((p) => p.stop()));
    await rm(this.workDir, { recursive: true, force: true });
  }

  private async readWatchers(): Promise<void> {
    for (const [k, tail] of this.tails.entries()) this.tally.addWatcherLines(k, await tail.readLines());
  }

  private async cpuSeconds(): Promise<number[]> {
    return Promise.all(this.watcherProcesses.map(async (p) => (await p.cpuSeconds()) ?? 0));
  }
}

/** SIPp's local address and port, and the server (UDP: -t u1, one socket for every call). */
function endpointArgs(localHost: string, localPort: number, target: Endpoint): string[] {
  return ['-t', 'u1', '-i', localHost, '-p', String(localPort), `${target.host}:${target.port}`];
}
