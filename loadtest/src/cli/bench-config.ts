import type { Endpoint, TransportName } from '../transport/channel.js';
import type { WatcherProfile } from '../worker/watcher-profile.js';
import type { PidfSize } from '../sip/rich-pidf.js';

export type TargetMode = 'standalone' | 'cluster' | 'kamailio' | 'external';
export type RunKind = 'bench' | 'find-max' | 'memory';
export type AuthMode = 'none' | 'digest';
export type PresRulesMode = 'none' | 'allow-domain';
export type Workload = 'publish' | 'message' | 'rls' | 'publish-new' | 'subscribe-setup';
/** Who sends the traffic: our worker processes, SIPp with loadtest/sipp/, or each in turn (`both`). */
export type GeneratorChoice = 'native' | 'sipp' | 'both';
export type GeneratorName = Exclude<GeneratorChoice, 'both'>;

/** Everything a run needs, validated; written verbatim into the JSON result. */
export interface BenchConfig {
  readonly run: RunKind;
  /** publish (default): SUBSCRIBE then PUBLISH→NOTIFY; message: page-mode MESSAGE, online and offline-then-register. */
  readonly workload: Workload;
  /** Message workload: MESSAGEs per phase. */
  readonly messages: number;
  readonly mode: TargetMode;
  /** --compare: the same workload against `mode` and then Kamailio. */
  readonly compare: boolean;
  /** --targets: the fan-out workload, then publish-new and subscribe-setup, and issue #17's targets table. */
  readonly targets: boolean;
  /** publish-new and subscribe-setup: the first step's rate and the factor between steps (they step until one fails). */
  readonly creation: { readonly startRate: number; readonly factor: number };
  /** --generator: native (default), sipp, or both (every target with each generator). */
  readonly generator: GeneratorChoice;
  readonly transport: TransportName;
  readonly presentities: number;
  readonly watchers: number;
  readonly rate: number;
  readonly durationS: number;
  readonly drainS: number;
  /** Untimed PUBLISH round before the measured steps (0 = none); see warmupFor. */
  readonly warmupS: number;
  readonly workers: number;
  readonly perSocket: number;
  readonly concurrency: number;
  readonly timeoutS: number;
  readonly expires: number;
  readonly register: boolean;
  /** digest: the target authenticates a user per AOR and the generator answers its challenges. */
  readonly auth: AuthMode;
  /** allow-domain: every presentity gets a pres-rules document allowing the watchers' domain everything, written to the target's store before the run (issue #12). */
  readonly presRules: PresRulesMode;
  readonly unsubscribe: boolean;
  readonly domain: string | undefined;
  readonly localHost: string;
  readonly edges: number;
  readonly agents: number;
  readonly partitions: number;
  /** standalone: `--workers` of the server the bench starts (1: one process). */
  readonly serverWorkers: number;
  /** standalone with serverWorkers above 1: `--worker-udp-ports` of the server (undefined: unset). */
  readonly serverWorkerUdpPorts: number | undefined;
  readonly target: Endpoint | undefined;
  readonly metricsUrls: readonly string[];
  readonly redis: Endpoint | undefined;
  readonly findMax: { readonly maxRate: number; readonly ramp: number; readonly refine: number; readonly p99LimitMs: number; readonly errorLimitPct: number; readonly deliveryLimitPct: number };
  /** settleS: wait after the subscribe phase before reading memory, so transaction state has expired. */
  readonly memory: { readonly subscriptions: number; readonly settleS: number };
  readonly outDir: string;
  readonly serverCpuProfileDir: string | undefined;
  /** --watcher-profile: each profile in turn on the same workload (empty: plain watchers, no refresh round). */
  readonly watcherProfiles: readonly WatcherProfile[];
  /** --status-every: one PUBLISH in N turns its presentity's basic status, the others change only the note (default 1). */
  readonly statusEvery: number;
  /** --pidf-size: the document each PUBLISH carries (default small: one tuple). */
  readonly pidfSize: PidfSize;
  /** The profile of the run under way (set per run from watcherProfiles). */
  readonly watcherProfile?: WatcherProfile;
}
