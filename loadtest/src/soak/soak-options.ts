import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/usage-error.js';
import type { TransportName } from '../transport/channel.js';
import type { SoakWorkload } from './soak-workload.js';

const DEFAULT_OUT = fileURLToPath(new URL('../../bench-results/', import.meta.url));
const DEFAULT_MINUTES = 5;

export interface SoakConfig {
  readonly mode: 'standalone' | 'cluster';
  readonly transport: TransportName;
  readonly durationS: number;
  readonly intervalS: number;
  /** Readings before this are not judged: start-up, first generations, V8 and allocator growth to steady state. */
  readonly warmupS: number;
  /** Interval rows folded into one table row (long runs). */
  readonly rowEvery: number;
  readonly workload: SoakWorkload;
  readonly maxRssGrowthMb: number;
  readonly maxFailurePct: number;
  readonly timeoutS: number;
  readonly edges: number;
  readonly agents: number;
  readonly partitions: number;
  readonly outDir: string;
}

interface OptionHelp {
  readonly type: 'string' | 'boolean';
  readonly arg?: string;
  readonly help: string;
}

/** Option names are used by scripts, CI and the README: add, never rename. */
export const SOAK_OPTIONS: Readonly<Record<string, OptionHelp>> = {
  hours: { type: 'string', arg: 'N', help: 'Run N hours (fractions allowed); added to --minutes. Default: 5 minutes in all.' },
  minutes: { type: 'string', arg: 'M', help: 'Run M minutes; added to --hours.' },
  mode: { type: 'string', arg: 'standalone|cluster', help: 'What to start: presence standalone (default) or a local cluster (own nats-server and redis-server).' },
  rate: { type: 'string', arg: 'R', help: 'PUBLISH/s over all presentities (default 50); the other requests follow from the expiries.' },
  presentities: { type: 'string', arg: 'P', help: 'Presentities alive at any time (default 100); each is replaced by a new one after about --lifetime s.' },
  watchers: { type: 'string', arg: 'W', help: 'Watchers per presentity (default 5), each registered and subscribed.' },
  'max-rss-growth-mb': { type: 'string', arg: 'MB', help: 'Fail when any server process\'s RSS, fitted by least squares after the warm-up, grows more than MB over the run (default 24).' },
  'max-failure-pct': { type: 'string', arg: 'PCT', help: 'Fail when, after the warm-up, more than PCT % of requests fail or time out, or dialogs end without our asking (default 0.5).' },
  interval: { type: 'string', arg: 'S', help: 'Seconds between readings (default 10).' },
  warmup: { type: 'string', arg: 'S', help: 'Seconds of readings not judged (default: 30 % of the run, at least 60, at most 900).' },
  'row-every': { type: 'string', arg: 'N', help: 'Readings per table row (default: about 40 rows in all).' },
  'subscribe-expires': { type: 'string', arg: 'S', help: 'SUBSCRIBE Expires, refreshed at about half (default 20).' },
  'register-expires': { type: 'string', arg: 'S', help: 'REGISTER Expires, refreshed at half (default 30).' },
  'publish-expires': { type: 'string', arg: 'S', help: 'PUBLISH Expires (default 20); some publications are left to expire.' },
  lifetime: { type: 'string', arg: 'S', help: 'Mean life of a presentity and its watchers before new AORs replace them (default 120).' },
  churn: { type: 'string', arg: 'FRACTION', help: 'Chance that a subscription refresh ends the dialog and a new one starts (default 0.25).' },
  transport: { type: 'string', arg: 'udp|tcp|ws', help: 'SIP transport (default udp).' },
  timeout: { type: 'string', arg: 'S', help: 'A request without a final response after S s is a failure (default 10).' },
  edges: { type: 'string', arg: 'N', help: 'Cluster mode: SIP edges (default 2).' },
  agents: { type: 'string', arg: 'N', help: 'Cluster mode: presence agents (default 2).' },
  partitions: { type: 'string', arg: 'N', help: 'Cluster mode: presentity partitions (default 64).' },
  out: { type: 'string', arg: 'DIR', help: 'Where the JSON result goes (default loadtest/bench-results/).' },
  help: { type: 'boolean', help: 'This text.' },
};

export type ParsedSoakArgs = { readonly help: true } | { readonly help: false; readonly config: SoakConfig };

export function parseSoakArgs(argv: readonly string[]): ParsedSoakArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(SOAK_OPTIONS).map(([name, o]) => [name, { type: o.type }]));
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return { help: true };
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const num = (name: string, fallback: number, min: number, integer = false): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name}: expected a number, got "${raw}"`);
    if (integer && !Number.isInteger(value)) throw new UsageError(`--${name}: expected an integer, got "${raw}"`);
    if (value < min) throw new UsageError(`--${name}: must be at least ${min}, got ${raw}`);
    return value;
  };
  const mode = str('mode') ?? 'standalone';
  if (mode !== 'standalone' && mode !== 'cluster') throw new UsageError(`--mode: expected standalone or cluster, got "${mode}"`);
  const transport = str('transport') ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'ws') throw new UsageError(`--transport: expected udp, tcp or ws, got "${transport}"`);
  for (const name of ['edges', 'agents', 'partitions']) if (str(name) !== undefined && mode !== 'cluster') throw new UsageError(`--${name}: only with --mode cluster`);
  const given = str('hours') !== undefined || str('minutes') !== undefined;
  const durationS = given ? num('hours', 0, 0) * 3600 + num('minutes', 0, 0) * 60 : DEFAULT_MINUTES * 60;
  const intervalS = num('interval', 10, 1);
  if (durationS < intervalS * 4) throw new UsageError(`--hours/--minutes: a run of ${durationS} s is too short for drift at --interval ${intervalS} (at least 4 readings)`);
  const warmupS = num('warmup', Math.min(900, Math.max(60, durationS * 0.3)), 0);
  if (durationS - warmupS < intervalS * 3) throw new UsageError(`--warmup ${warmupS}: leaves fewer than 3 readings of a ${durationS} s run to judge`);
  const subscribeExpiresS = num('subscribe-expires', 20, 2, true);
  const publishExpiresS = num('publish-expires', 20, 2, true);
  const registerExpiresS = num('register-expires', 30, 2, true);
  const readings = Math.floor(durationS / intervalS);
  return {
    help: false,
    config: {
      mode,
      transport,
      durationS,
      intervalS,
      warmupS,
      rowEvery: num('row-every', Math.max(1, Math.round(readings / 40)), 1, true),
      workload: {
        presentities: num('presentities', 100, 1, true),
        watchersPerPresentity: num('watchers', 5, 1, true),
        publishRate: num('rate', 50, 0.1),
        registerExpiresS,
        subscribeExpiresS,
        publishExpiresS,
        presentityLifetimeS: num('lifetime', 120, 1),
        dialogChurn: Math.min(1, num('churn', 0.25, 0)),
      },
      maxRssGrowthMb: num('max-rss-growth-mb', 24, 0),
      maxFailurePct: num('max-failure-pct', 0.5, 0),
      timeoutS: num('timeout', 10, 0.5),
      edges: num('edges', 2, 1, true),
      agents: num('agents', 2, 1, true),
      partitions: num('partitions', 64, 1, true),
      outDir: resolve(str('out') ?? DEFAULT_OUT),
    },
  };
}

/** The shortest Expires the workload asks for: the server it starts must accept it (--min-expires). */
export function shortestExpires(workload: SoakWorkload): number {
  return Math.min(workload.registerExpiresS, workload.subscribeExpiresS, workload.publishExpiresS);
}

export function renderSoakHelp(): string {
  const lines = [
    'usage: npm run soak -- [--hours N] [--minutes M] [--mode standalone|cluster] [--rate R] [--max-rss-growth-mb X] [options]',
    '',
    '  npm run soak                                  # 5 minutes against standalone',
    '  npm run soak -- --hours 8 --mode cluster',
    '',
    'Options:',
  ];
  for (const [name, o] of Object.entries(SOAK_OPTIONS)) lines.push(`  --${name}${o.arg === undefined ? '' : ` ${o.arg}`}`, `      ${o.help}`);
  return lines.join('\n');
}
