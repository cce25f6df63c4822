import type { ChallengeCounts, StepReport, SubscribePhaseReport, WorkerHealth } from '../stats/phase-stats.js';
import type { Endpoint, TransportName } from '../transport/channel.js';
import type { WatcherProfile } from './watcher-profile.js';
import type { PidfSize } from '../sip/rich-pidf.js';

/**
 * The workload is a grid: presentity p (0..P-1) is `sip:<run>p<p>@<domain>`;
 * subscription s (0..P·W-1) is watcher `sip:<run>w<s>@<domain>` watching
 * presentity s mod P. Worker k owns the subscriptions and publishers whose
 * index is k mod K, so every worker does the same share of both.
 */
export interface WorkerConfig {
  readonly workerIndex: number;
  readonly workers: number;
  readonly runId: string;
  readonly transport: TransportName;
  /** Watcher j of each presentity uses endpoint j mod E, publisher p endpoint p mod E. */
  readonly endpoints: readonly Endpoint[];
  readonly localHost: string;
  readonly domain: string;
  readonly presentities: number;
  readonly watchers: number;
  /** Subscriptions (or publishers) sharing one socket / connection. */
  readonly perSocket: number;
  /** REGISTER each watcher before it subscribes. */
  readonly register: boolean;
  /** The password of every AOR's user when the target authenticates (--auth digest): 401s are answered; undefined: they are errors. */
  readonly digestPassword: string | undefined;
  /** Expires asked for in REGISTER, SUBSCRIBE and PUBLISH. */
  readonly expires: number;
  /** Give up on a request after this long (counted as a timeout). */
  readonly timeoutMs: number;
  /** RFC 3261 T1 for UDP retransmissions. */
  readonly t1Ms: number;
  /** Subscribe-phase requests outstanding per worker. */
  readonly concurrency: number;
  /** How long to wait for the initial NOTIFYs after the last SUBSCRIBE is answered. */
  readonly initialNotifyWaitMs: number;
  /** --watcher-profile: what the SUBSCRIBEs ask for, and a refresh round in each drain; undefined: plain watchers, no refreshes. */
  readonly profile?: WatcherProfile;
  /** --status-every: one PUBLISH in N (per worker) turns its presentity's basic status (undefined: every one). */
  readonly statusEvery?: number;
  /** --pidf-size: the document each PUBLISH carries (undefined: small). */
  readonly pidfSize?: PidfSize;
}

export interface PublishCommand {
  readonly step: number;
  /** PUBLISH/s for this worker. */
  readonly rate: number;
  /** Epoch ms when every worker starts, so the windows line up. */
  readonly startAt: number;
  readonly durationMs: number;
}

/** [presentity index, send timestamps of its PUBLISHes the server accepted in this step, in order]. */
export type AcceptedChanges = ReadonlyArray<readonly [number, readonly number[]]>;

export interface PublishResult {
  readonly accepted: AcceptedChanges;
}

export interface DrainCommand {
  /** Every change each watcher is owed, so a watcher can tell which ones it saw. */
  readonly accepted: AcceptedChanges;
  readonly deadlineMs: number;
}

export interface UnsubscribeResult extends ChallengeCounts {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly timeouts: number;
}

export type ParentRequest =
  | { readonly type: 'init'; readonly config: WorkerConfig }
  | { readonly type: 'subscribe' }
  | { readonly type: 'publish'; readonly command: PublishCommand }
  | { readonly type: 'drain'; readonly command: DrainCommand }
  | { readonly type: 'unsubscribe' }
  | { readonly type: 'health' }
  | { readonly type: 'stop' };

export interface ParentEnvelope {
  readonly id: number;
  readonly request: ParentRequest;
}

export type WorkerResult = { channels: number } | SubscribePhaseReport | PublishResult | StepReport | UnsubscribeResult | WorkerHealth | null;

export type WorkerMessage =
  | { readonly type: 'reply'; readonly id: number; readonly result: WorkerResult }
  | { readonly type: 'failed'; readonly id: number; readonly error: string }
  | { readonly type: 'progress'; readonly step: number; readonly publishAccepted: number; readonly notifies: number };
