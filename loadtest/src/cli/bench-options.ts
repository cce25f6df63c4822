import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TransportName } from '../transport/channel.js';
import type { AuthMode, BenchConfig, GeneratorChoice, PresRulesMode, RunKind, TargetMode, Workload } from './bench-config.js';
import { UsageError } from './usage-error.js';
import { WATCHER_PROFILES, type WatcherProfile } from '../worker/watcher-profile.js';
import { PIDF_SIZES, type PidfSize } from '../sip/rich-pidf.js';

/** Results land in loadtest/bench-results/ (git-ignored) whatever the working directory. */
const DEFAULT_OUT = fileURLToPath(new URL('../../bench-results/', import.meta.url));
const BIG_SUBSCRIPTIONS = 1_000_000;
/** --targets: the creation workloads' first step, where both servers hold with room (issue #17 saw 2,000–8,000/s held). */
const DEFAULT_CREATION_RATE = 500;
/**
 * Over UDP a server keeps each completed SUBSCRIBE transaction for Timer J
 * (64·T1 = 32 s, RFC 3261 §17.2.2) and each NOTIFY one for Timer K (5 s):
 * memory read sooner counts them as subscription state.
 */
const UDP_SETTLE_S = 40;
const STREAM_SETTLE_S = 5;

interface OptionHelp {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly arg?: string;
  readonly help: string;
}

/** Option names are used by scripts and the README: add, never rename. */
export const BENCH_OPTIONS: Readonly<Record<string, OptionHelp>> = {
  mode: { type: 'string', arg: 'MODE', help: 'standalone (default), cluster, kamailio or external (implied by --target).' },
  workload: { type: 'string', arg: 'publish|message|rls|publish-new|subscribe-setup', help: 'publish (default): SUBSCRIBE, then PUBLISH→NOTIFY. message: page-mode MESSAGE to --presentities recipients, online (sender\'s 200 after the recipient\'s) and stored then delivered on REGISTER; MESSAGE/s and p50/p99. rls: --watchers list subscriptions (RFC 4662, lists in the SUBSCRIBE body, RFC 5367) of L = 100 and 1,000 members out of --presentities (at least 1,000) over TCP, PUBLISH churning at --rate for --duration; NOTIFY/s, bytes per NOTIFY, p99 PUBLISH→NOTIFY, edge memory per list member.' +
    ' publish-new: PUBLISH with no watchers, each an initial PUBLISH for a new presentity (UDP); the rate steps from --creation-rate by --ramp (default 2) until a step fails (< 1% failed, ≥ 95% of the rate completed: issue #17\'s held step); new PUBLISH/s held, p50/p99 PUBLISH→200, server CPU µs per PUBLISH.' +
    ' subscribe-setup: a new SUBSCRIBE dialog each (a new watcher of one of --presentities), done when its first NOTIFY is answered, stepped the same way; dialogs/s held, p99 SUBSCRIBE→first NOTIFY, CPU µs per dialog. Both with --compare and --generator native|sipp|both (loadtest/sipp/publish-new.xml, subscribe-setup.xml).' },
  messages: { type: 'string', arg: 'N', help: 'Message workload: MESSAGEs per phase (default 2000), --concurrency in flight.' },
  target: { type: 'string', arg: 'HOST:PORT', help: 'Load a server that is already running (for --transport ws: its WebSocket port).' },
  transport: { type: 'string', arg: 'udp|tcp|ws', help: 'SIP transport of every watcher and publisher (default udp).' },
  presentities: { type: 'string', arg: 'P', help: 'Presentities, each with its own publisher (default 100).' },
  watchers: { type: 'string', arg: 'W', help: 'Watchers subscribed to each presentity (default 10); P×W subscriptions.' },
  rate: { type: 'string', arg: 'R', help: 'Target PUBLISH/s over all presentities (default 100; find-max: the first step).' },
  duration: { type: 'string', arg: 'S', help: 'Seconds of PUBLISH per run or find-max step (default 10).' },
  drain: { type: 'string', arg: 'S', help: 'After a step, wait up to S s for watchers to catch up (default 5).' },
  warmup: { type: 'string', arg: 'S', help: 'Untimed PUBLISH round at --rate before the measured steps, so every presentity has a publication (default: long enough for one PUBLISH each; 0 = none).' },
  'find-max': { type: 'boolean', help: 'Ramp the rate by --ramp until a step fails; report the highest rate held.' },
  'max-rate': { type: 'string', arg: 'R', help: 'find-max: never go above R PUBLISH/s (default 100000).' },
  ramp: { type: 'string', arg: 'F', help: 'find-max: rate factor between steps (default 1.5; publish-new and subscribe-setup: default 2).' },
  refine: { type: 'string', arg: 'N', help: 'find-max: bisection steps between the last held and the first failed rate (default 2).' },
  'p99-limit': { type: 'string', arg: 'MS', help: 'find-max: a step holds only with PUBLISH→NOTIFY p99 below MS (default 100).' },
  'error-limit': { type: 'string', arg: 'PCT', help: 'find-max: … and errors + timeouts, and stale watchers, below PCT % (default 1).' },
  'delivery-limit': { type: 'string', arg: 'PCT', help: 'A step holds only when at least PCT % of the NOTIFYs owed, one per (watcher, accepted PUBLISH), arrived (default 99.9).' },
  memory: { type: 'boolean', help: 'Memory mode: hold --subscriptions subscriptions, report bytes per subscription, no PUBLISH.' },
  subscriptions: { type: 'string', arg: 'N', help: 'Memory mode: subscriptions to hold (default 100000), over N/W presentities.' },
  big: { type: 'boolean', help: 'Memory mode: 1,000,000 subscriptions.' },
  settle: { type: 'string', arg: 'S', help: 'Memory mode: seconds to wait after subscribing before reading memory (default 40 over UDP, which outlasts the server\'s 32 s Timer J transactions; 5 over TCP/WS).' },
  generator: {
    type: 'string',
    arg: 'native|sipp|both',
    help: 'Traffic generator (default native: our worker processes). sipp: SIPp processes running loadtest/sipp/watcher.xml and publisher.xml, UDP only. both: every target with each generator, in one run (with --compare: side by side).',
  },
  compare: { type: 'boolean', help: 'Run the same workload against --mode and against Kamailio; print ours/Kamailio ratios.' },
  targets: {
    type: 'boolean',
    help: 'Issue #17\'s targets from one run: the publish (fan-out) workload as configured, then publish-new and subscribe-setup, each against --mode (and Kamailio with --compare) with every --generator; then a table with each target, our figure, Kamailio\'s, the ratio and met/missed (only what the run measured). UDP, --auth none.',
  },
  'creation-rate': { type: 'string', arg: 'R', help: 'publish-new and subscribe-setup: the first step\'s rate (default: --rate with --workload publish-new|subscribe-setup, 500 with --targets).' },
  edges: { type: 'string', arg: 'N', help: 'Cluster mode: SIP edges (default 2); watchers and publishers spread over them.' },
  agents: { type: 'string', arg: 'N', help: 'Cluster mode: presence agents (default 2).' },
  partitions: { type: 'string', arg: 'N', help: 'Cluster mode: presentity partitions (default 256).' },
  workers: { type: 'string', arg: 'N', help: 'Load generator processes (default: cores, at most 4).' },
  'per-socket': { type: 'string', arg: 'N', help: 'Watchers (or publishers) per UDP socket / TCP or WS connection (default 500).' },
  concurrency: { type: 'string', arg: 'N', help: 'REGISTER/SUBSCRIBE outstanding per worker in the subscribe phase (default 200).' },
  timeout: { type: 'string', arg: 'S', help: 'A request without a final response after S s is a timeout (default 5).' },
  expires: { type: 'string', arg: 'S', help: 'Expires of REGISTER, SUBSCRIBE and PUBLISH (default 3600).' },
  auth: {
    type: 'string',
    arg: 'none|digest',
    help: 'Authentication of the server the bench starts (default none). digest: standalone or cluster with --auth digest and a user per AOR (written to its store before the run); the generator answers each 401 and reuses the nonce with a rising count, as phones do.',
  },
  'pres-rules': {
    type: 'string',
    arg: 'none|allow-domain',
    help: 'Authorization rules in place before the run (default none). allow-domain: every presentity gets a pres-rules document with one <many domain> rule allowing the watchers\' domain everything (written to the store of the standalone or cluster the bench starts), so each SUBSCRIBE is decided by a rule.',
  },
  'skip-register': { type: 'boolean', help: 'Do not REGISTER watchers before subscribing (memory mode never does).' },
  unsubscribe: { type: 'boolean', help: 'End every subscription (Expires: 0) before stopping.' },
  domain: { type: 'string', arg: 'DOMAIN', help: 'Domain of every AOR (default: the target host, e.g. 127.0.0.1).' },
  'local-host': { type: 'string', arg: 'ADDR', help: 'Local address the generator binds and puts in Via/Contact (default 127.0.0.1).' },
  'metrics-url': { type: 'string', multiple: true, arg: 'URL', help: 'External target: a /metrics URL to read memory and counters from (repeatable).' },
  redis: { type: 'string', arg: 'HOST:PORT', help: 'External target: Redis to read INFO memory from.' },
  out: { type: 'string', arg: 'DIR', help: 'Where the JSON result goes (default loadtest/bench-results/).' },
  'server-workers': { type: 'string', arg: 'N', help: 'standalone (also with --compare): start it with --workers N, its edge in N worker processes (default 1: one process).' },
  'server-worker-udp-ports': { type: 'string', arg: 'FIRST', help: 'standalone with --server-workers above 1: start it with --worker-udp-ports FIRST (0: any free ports), each worker sending its NOTIFYs from a UDP port of its own.' },
  'watcher-profile': {
    type: 'string',
    arg: 'LIST',
    help:
      'Comma list of full, partial, filtered, conditional (issue #15): the workload runs once per profile, each watcher refreshing once per step, and a table gives NOTIFYs and NOTIFY bytes per change. ' +
      'partial: Accept lists application/pidf-diff+xml (RFC 5263); filtered: an RFC 4661 filter for the basic status with a changed trigger (its NOTIFYs carry no timestamp: no latency, no delivery check); conditional: refreshes carry SIP-If-Match with the last NOTIFY\'s SIP-ETag (RFC 5839). Native generator only.',
  },
  'status-every': {
    type: 'string',
    arg: 'N',
    help: 'One PUBLISH in N turns its presentity\'s basic status (default 1: every one); the others change only the note. What a basic-status filter (--watcher-profile filtered) can save in NOTIFYs. Native generator only.',
  },
  'pidf-size': {
    type: 'string',
    arg: 'SIZE',
    help:
      'small (default): a one-tuple PIDF of about 220 bytes; rich: about 1.5 kB as desk clients publish (three tuples with contact and priority, an RFC 4479 person with RPID activities, mood, place-type and a note, a device), of which each PUBLISH changes only the first tuple\'s note and (per --status-every) basic status. ' +
      'What a pidf-diff (--watcher-profile partial) can save in bytes. Native generator only.',
  },
  'server-cpu-prof': { type: 'string', arg: 'DIR', help: 'Start our server processes with --cpu-prof; .cpuprofile files land in DIR on exit.' },
  help: { type: 'boolean', help: 'This text.' },
};

export type ParsedCommandLine = { readonly help: true } | { readonly help: false; readonly config: BenchConfig };

export function parseBenchArgs(argv: readonly string[]): ParsedCommandLine {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(BENCH_OPTIONS).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false }]));
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return { help: true };
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const flag = (name: string): boolean => values[name] === true;
  const num = (name: string, fallback: number, check: { min?: number; integer?: boolean } = {}): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name}: expected a number, got "${raw}"`);
    if (check.integer && !Number.isInteger(value)) throw new UsageError(`--${name}: expected an integer, got "${raw}"`);
    if (check.min !== undefined && value < check.min) throw new UsageError(`--${name}: must be at least ${check.min}, got ${raw}`);
    return value;
  };
  const int = (name: string, fallback: number, min = 1): number => num(name, fallback, { min, integer: true });

  const target = str('target') === undefined ? undefined : hostPort('target', str('target')!);
  const mode = modeOf(str('mode'), target !== undefined);
  const transport = oneOf<TransportName>('transport', str('transport') ?? 'udp', ['udp', 'tcp', 'ws']);
  const run: RunKind = flag('memory') ? 'memory' : flag('find-max') ? 'find-max' : 'bench';
  if (flag('memory') && flag('find-max')) throw new UsageError('--memory and --find-max: choose one');
  if (flag('big') && run !== 'memory') throw new UsageError('--big: only with --memory');
  if (str('subscriptions') !== undefined && run !== 'memory') throw new UsageError('--subscriptions: only with --memory (otherwise P×W subscriptions)');
  if (flag('compare') && (mode === 'kamailio' || mode === 'external')) throw new UsageError(`--compare: compares standalone or cluster with Kamailio, not --mode ${mode}`);
  if ((mode === 'kamailio' || flag('compare')) && transport === 'ws') throw new UsageError('--transport ws: the Kamailio reference listens on UDP and TCP only');
  const workload = oneOf<Workload>('workload', str('workload') ?? 'publish', ['publish', 'message', 'rls', 'publish-new', 'subscribe-setup']);
  const creating = workload === 'publish-new' || workload === 'subscribe-setup';
  if (creating || flag('targets')) {
    const what = creating ? `--workload ${workload}` : '--targets';
    if (run === 'memory') throw new UsageError(`${what}: not with --memory (the creation workloads hold what they create; --memory measures it)`);
    if (transport !== 'udp') throw new UsageError(`${what}: the creation workloads run over UDP only, as the SIPp scenarios do`);
    if (str('auth') === 'digest') throw new UsageError(`${what}: the creation workloads do not answer digest challenges; use --auth none`);
  }
  if (flag('targets') && workload !== 'publish') throw new UsageError(`--targets: runs the publish (fan-out) workload and then the creation ones; not with --workload ${workload}`);
  if (flag('targets') && str('watcher-profile') !== undefined) throw new UsageError('--targets: the targets are those of plain watchers; not with --watcher-profile');
  if (str('creation-rate') !== undefined && !creating && !flag('targets')) throw new UsageError('--creation-rate: only with --targets or --workload publish-new|subscribe-setup');
  if (workload === 'message' && (run !== 'bench' || mode === 'external')) throw new UsageError('--workload message: a plain run (no --memory, --find-max) against a server the bench starts (standalone, cluster, kamailio)');
  if (workload === 'rls' && (run !== 'bench' || (mode !== 'standalone' && mode !== 'cluster') || flag('compare'))) throw new UsageError('--workload rls: a plain run against a server the bench starts (standalone, cluster); the Kamailio reference serves no lists here');
  const generator = oneOf<GeneratorChoice>('generator', str('generator') ?? 'native', ['native', 'sipp', 'both']);
  if (generator !== 'native') {
    const what = `--generator ${generator}`;
    if (transport !== 'udp') throw new UsageError(`${what}: the SIPp scenarios run over UDP only, not --transport ${transport}`);
    if (run === 'memory') throw new UsageError(`${what}: memory mode is native only (it holds subscriptions without REGISTER or PUBLISH)`);
    if (str('auth') === 'digest') throw new UsageError(`${what}: the SIPp scenarios do not answer digest challenges; use --auth none`);
    if (flag('unsubscribe')) throw new UsageError(`${what}: --unsubscribe is native only (the SIPp watchers hold their dialogs until SIPp stops)`);
  }
  const auth = oneOf<AuthMode>('auth', str('auth') ?? 'none', ['none', 'digest']);
  const presRules = oneOf<PresRulesMode>('pres-rules', str('pres-rules') ?? 'none', ['none', 'allow-domain']);
  if (presRules !== 'none' && mode !== 'standalone' && mode !== 'cluster') throw new UsageError(`--pres-rules ${presRules}: the bench writes rules only into the servers it starts (standalone, cluster), not --mode ${mode}`);
  if (auth === 'digest') {
    if (mode !== 'standalone' && mode !== 'cluster') throw new UsageError(`--auth digest: the bench makes users only for the servers it starts (standalone, cluster), not --mode ${mode}`);
    if (flag('compare')) throw new UsageError('--auth digest: the Kamailio reference runs without authentication; compare runs with --auth none');
    if (run === 'memory') throw new UsageError('--auth digest: memory mode measures subscription state, which users and nonces would add to');
  }
  for (const name of ['metrics-url', 'redis']) {
    if (values[name] !== undefined && mode !== 'external') throw new UsageError(`--${name}: only for an external --target (the bench finds its own processes)`);
  }
  for (const name of ['edges', 'agents', 'partitions']) {
    if (str(name) !== undefined && mode !== 'cluster') throw new UsageError(`--${name}: only with --mode cluster`);
  }
  if (str('server-workers') !== undefined && mode !== 'standalone') throw new UsageError('--server-workers: only with --mode standalone (the server the bench starts)');
  if (str('server-worker-udp-ports') !== undefined && int('server-workers', 1) < 2) throw new UsageError('--server-worker-udp-ports: only with --server-workers above 1');

  const subscriptions = flag('big') ? BIG_SUBSCRIPTIONS : int('subscriptions', 100_000);
  const watchers = int('watchers', 10);
  const presentities = run === 'memory' ? Math.ceil(subscriptions / watchers) : int('presentities', 100);
  const rate = num('rate', 100, { min: 0.1 });
  if (str('warmup') !== undefined && run === 'memory') throw new UsageError('--warmup: memory mode sends no PUBLISH');
  const watcherProfiles = profilesOf(str('watcher-profile'));
  if (str('status-every') !== undefined && generator !== 'native') throw new UsageError('--status-every: the native generator only (the SIPp publisher toggles on every PUBLISH)');
  const pidfSize = oneOf<PidfSize>('pidf-size', str('pidf-size') ?? 'small', PIDF_SIZES);
  if (str('pidf-size') !== undefined && (generator !== 'native' || workload !== 'publish')) {
    throw new UsageError('--pidf-size: a publish workload with the native generator (the SIPp and RLS publishers send their own documents)');
  }
  if (watcherProfiles.length > 0 && (generator !== 'native' || run === 'memory' || workload !== 'publish')) {
    throw new UsageError('--watcher-profile: a publish workload (no --memory) with the native generator');
  }
  return {
    help: false,
    config: {
      run,
      workload,
      messages: int('messages', 2000),
      mode,
      compare: flag('compare'),
      targets: flag('targets'),
      creation: {
        startRate: num('creation-rate', creating ? rate : DEFAULT_CREATION_RATE, { min: 1 }),
        factor: num('ramp', 2, { min: 1.05 }),
      },
      generator,
      transport,
      presentities,
      watchers,
      rate,
      durationS: num('duration', 10, { min: 0.5 }),
      drainS: num('drain', 5, { min: 0 }),
      warmupS: num('warmup', warmupFor(presentities, rate), { min: 0 }),
      workers: int('workers', Math.min(4, availableParallelism())),
      perSocket: int('per-socket', 500),
      concurrency: int('concurrency', 200),
      timeoutS: num('timeout', 5, { min: 0.1 }),
      expires: int('expires', 3600),
      register: run !== 'memory' && !flag('skip-register'),
      auth,
      presRules,
      unsubscribe: flag('unsubscribe'),
      domain: str('domain'),
      localHost: str('local-host') ?? '127.0.0.1',
      edges: int('edges', 2),
      agents: int('agents', 2),
      partitions: int('partitions', 256),
      serverWorkers: int('server-workers', 1),
      serverWorkerUdpPorts: str('server-worker-udp-ports') === undefined ? undefined : int('server-worker-udp-ports', 0, 0),
      target,
      metricsUrls: (values['metrics-url'] as string[] | undefined) ?? [],
      redis: str('redis') === undefined ? undefined : hostPort('redis', str('redis')!),
      findMax: {
        maxRate: num('max-rate', 100_000, { min: 1 }),
        ramp: num('ramp', 1.5, { min: 1.05 }),
        refine: int('refine', 2, 0),
        p99LimitMs: num('p99-limit', 100, { min: 0.1 }),
        errorLimitPct: num('error-limit', 1, { min: 0 }),
        deliveryLimitPct: num('delivery-limit', 99.9, { min: 0 }),
      },
      memory: { subscriptions, settleS: num('settle', transport === 'udp' ? UDP_SETTLE_S : STREAM_SETTLE_S, { min: 0 }) },
      outDir: resolve(str('out') ?? DEFAULT_OUT),
      serverCpuProfileDir: str('server-cpu-prof') === undefined ? undefined : resolve(str('server-cpu-prof')!),
      watcherProfiles,
      statusEvery: int('status-every', 1),
      pidfSize,
    },
  };
}

/**
 * Publishers take turns, so P PUBLISHes at the first step's rate give every
 * presentity its initial publication. Creating one is dearer than modifying
 * it on every server (Kamailio stalls on the first round): the measured
 * steps then compare steady state, PUBLISHes that modify a publication.
 */
function warmupFor(presentities: number, rate: number): number {
  return Math.ceil(presentities / rate) + 1;
}

function profilesOf(raw: string | undefined): WatcherProfile[] {
  if (raw === undefined) return [];
  const profiles = raw.split(',').map((p) => oneOf<WatcherProfile>('watcher-profile', p.trim(), WATCHER_PROFILES));
  if (new Set(profiles).size !== profiles.length) throw new UsageError(`--watcher-profile: a profile named twice in "${raw}"`);
  return profiles;
}

function modeOf(raw: string | undefined, hasTarget: boolean): TargetMode {
  if (hasTarget) {
    if (raw !== undefined && raw !== 'external') throw new UsageError(`--target: loads a running server; it cannot be combined with --mode ${raw}`);
    return 'external';
  }
  const mode = oneOf<TargetMode>('mode', raw ?? 'standalone', ['standalone', 'cluster', 'kamailio', 'external']);
  if (mode === 'external') throw new UsageError('--mode external: give the server with --target HOST:PORT');
  return mode;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function hostPort(name: string, value: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || !(port > 0 && port < 65536)) throw new UsageError(`--${name}: expected HOST:PORT (IPv6 as [::1]:5060), got "${value}"`);
  return { host: match[1]!, port };
}

export function renderBenchHelp(): string {
  const lines = [
    'usage: npm run bench -- [options]',
    '',
    '  npm run bench -- --mode standalone --presentities 100 --watchers 10 --rate 200 --duration 5',
    '  npm run bench -- --mode cluster --edges 2 --agents 2 --find-max',
    '  npm run bench -- --memory --subscriptions 100000 [--big]',
    '  npm run bench -- --mode standalone --compare',
    '  npm run bench -- --mode standalone --server-workers 2 --presentities 1000 --watchers 10 --rate 500 --duration 10',
    '  npm run bench -- --mode standalone --compare --generator both --presentities 100 --watchers 10 --rate 200',
    '  npm run bench -- --mode cluster --auth digest --presentities 200 --watchers 10 --rate 400',
    '  npm run bench -- --presentities 1000 --watchers 10 --rate 200 --watcher-profile full,partial,filtered,conditional',
    '  npm run bench -- --workload publish-new --compare --generator both --rate 1000',
    '  npm run bench -- --mode standalone --compare --targets --generator both --find-max --presentities 1000 --watchers 10 --rate 250',
    '',
    'Options:',
  ];
  for (const [name, o] of Object.entries(BENCH_OPTIONS)) {
    lines.push(`  --${name}${o.arg === undefined ? '' : ` ${o.arg}`}`, `      ${o.help}`);
  }
  return lines.join('\n');
}
