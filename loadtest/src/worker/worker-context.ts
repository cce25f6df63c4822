import { emptyStepCounts, type StepCounts } from '../stats/phase-stats.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { Channel } from '../transport/channel.js';
import { AuthenticatingSender } from './authenticating-sender.js';
import { DigestNonces } from './digest-nonces.js';
import type { WorkerConfig } from './protocol.js';
import { TransactionTable } from './transaction-table.js';

/** Counters of the PUBLISH step in progress; replaced when the next step begins. */
export interface StepState {
  readonly step: number;
  /** Epoch ms the publish window opened; older timestamps belong to an earlier step. */
  readonly startTs: number;
  windowOpen: boolean;
  readonly counts: StepCounts;
  readonly latency: LatencyHistogram;
  readonly publishRtt: LatencyHistogram;
  /** process.cpuUsage() and wall clock when the step began, for the generator's own CPU share. */
  readonly cpuAtStart: NodeJS.CpuUsage;
  readonly wallAtStart: number;
}

/** Opens `count` channels towards endpoint `endpointIndex`. */
export type ChannelOpener = (endpointIndex: number, count: number) => Promise<Channel[]>;

/** What the watcher and publisher pools of one worker share. */
export class WorkerContext {
  readonly transactions: TransactionTable;
  /** How watchers and publishers send: through `transactions`, answering 401s when the run authenticates. */
  readonly requests: AuthenticatingSender;
  step: StepState = newStep(-1, 0);
  private branches = 0;
  private readonly branchPrefix: string;

  constructor(readonly config: WorkerConfig) {
    this.transactions = new TransactionTable(config.t1Ms, config.timeoutMs);
    this.branchPrefix = `z9hG4bK${config.runId}${config.workerIndex}x`;
    const nonces = config.digestPassword === undefined ? undefined : new DigestNonces(config.digestPassword);
    this.requests = new AuthenticatingSender(this.transactions, () => this.nextBranch(), nonces);
  }

  /** RFC 3261 §8.1.1.7: unique per request, magic cookie first. */
  nextBranch(): string {
    return this.branchPrefix + (++this.branches).toString(36);
  }

  beginStep(step: number, startTs: number): void {
    this.step = newStep(step, startTs);
  }
}

function newStep(step: number, startTs: number): StepState {
  return {
    step,
    startTs,
    windowOpen: false,
    counts: emptyStepCounts(),
    latency: new LatencyHistogram(),
    publishRtt: new LatencyHistogram(),
    cpuAtStart: process.cpuUsage(),
    wallAtStart: performance.now(),
  };
}

/** Spreads `members` over channels of at most `perSocket` each: member i gets channel floor(i / perSocket). */
export function channelsNeeded(members: number, perSocket: number): number {
  return Math.ceil(members / perSocket);
}
