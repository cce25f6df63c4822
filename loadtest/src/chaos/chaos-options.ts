import { UsageError } from '../cli/usage-error.js';
import { DISTURBANCE_NAMES, type DisturbanceName } from './disturbances.js';
import type { ChaosConfig } from './run-chaos.js';

/** Small enough for a 2-core machine shared with other work. */
export const DEFAULT_CHAOS_CONFIG: ChaosConfig = {
  presentities: 200,
  watchers: 5,
  rate: 100,
  gapS: 15,
  edges: 2,
  agents: 3,
  redisCluster: false,
  natsCluster: false,
  redisFsync: 'always',
  leaseSeconds: 5,
  subscribeExpiresS: 30,
  delayThresholdMs: 1000,
  schedule: DISTURBANCE_NAMES,
};

const NUMERIC: Record<string, { key: keyof ChaosConfig; min: number; integer: boolean; help: string }> = {
  '--presentities': { key: 'presentities', min: 1, integer: true, help: 'P, presentities (default 200)' },
  '--watchers': { key: 'watchers', min: 1, integer: true, help: 'W, watchers per presentity (default 5)' },
  '--rate': { key: 'rate', min: 1, integer: false, help: 'PUBLISH per second over all presentities (default 100)' },
  '--gap': { key: 'gapS', min: 1, integer: false, help: 'seconds of recovery after each disturbance, and of baseline before the first (default 15)' },
  '--edges': { key: 'edges', min: 1, integer: true, help: 'edge processes (default 2)' },
  '--agents': { key: 'agents', min: 2, integer: true, help: 'presence agents (default 3; the stall needs a second one)' },
  '--lease-time': { key: 'leaseSeconds', min: 1, integer: false, help: "the agents' --lease-time in seconds (default 5)" },
  '--subscribe-expires': { key: 'subscribeExpiresS', min: 10, integer: true, help: 'Expires the watchers ask for; they refresh at half (default 30)' },
  '--delay-threshold': { key: 'delayThresholdMs', min: 1, integer: true, help: 'ms after its PUBLISH beyond which a NOTIFY counts as delayed (default 1000)' },
};

export function renderChaosHelp(): string {
  return [
    'npm run chaos -- [options]',
    '',
    'Starts a cluster on free ports (--auth none), subscribes P×W watchers, publishes steadily and runs disturbances one after another;',
    'prints per disturbance the degraded seconds, failed requests and delayed NOTIFYs, then the invariants. Exit 1 when one is violated.',
    '',
    '  --redis-cluster        three-master Redis Cluster; one master is killed and restarted',
    '  --nats-cluster         three-node NATS cluster; one node is killed and restarted',
    '  --redis-appendfsync M  Redis persistence: always (default: AOF fsynced before each answer), everysec (may lose',
    '                         acknowledged writes on a kill when fsync lags) or none, to see what a restart then loses',
    `  --only LIST            disturbances to run, comma separated, in the order given (repeats allowed); default all: ${DISTURBANCE_NAMES.join(',')}`,
    ...Object.entries(NUMERIC).map(([flag, o]) => `  ${`${flag} N`.padEnd(22)} ${o.help}`),
  ].join('\n');
}

export function parseChaosArgs(argv: readonly string[]): { help: true } | { help: false; config: ChaosConfig } {
  const config: Record<string, unknown> = { ...DEFAULT_CHAOS_CONFIG };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') return { help: true };
    if (flag === '--redis-cluster') config.redisCluster = true;
    else if (flag === '--nats-cluster') config.natsCluster = true;
    else if (flag === '--redis-appendfsync') config.redisFsync = parseFsync(argv[++i]);
    else if (flag === '--only') config.schedule = parseSchedule(argv[++i]);
    else if (NUMERIC[flag] !== undefined) {
      const option = NUMERIC[flag];
      const raw = argv[++i];
      const value = Number(raw);
      if (raw === undefined || !Number.isFinite(value) || value < option.min || (option.integer && !Number.isInteger(value))) {
        throw new UsageError(`${flag} needs ${option.integer ? 'an integer' : 'a number'} >= ${option.min} (got ${raw ?? 'nothing'})`);
      }
      config[option.key] = value;
    } else throw new UsageError(`unknown option ${flag} (npm run chaos -- --help lists them)`);
  }
  return { help: false, config: config as unknown as ChaosConfig };
}

function parseSchedule(raw: string | undefined): DisturbanceName[] {
  if (raw === undefined || raw === '') throw new UsageError(`--only needs a comma separated list of ${DISTURBANCE_NAMES.join(', ')}`);
  return raw.split(',').map((name) => {
    const known = DISTURBANCE_NAMES.find((d) => d === name.trim());
    if (known === undefined) throw new UsageError(`--only: unknown disturbance "${name}" (known: ${DISTURBANCE_NAMES.join(', ')})`);
    return known;
  });
}

const FSYNC_POLICIES = ['always', 'everysec', 'none'] as const;

function parseFsync(raw: string | undefined): ChaosConfig['redisFsync'] {
  const policy = FSYNC_POLICIES.find((p) => p === raw);
  if (policy === undefined) throw new UsageError(`--redis-appendfsync needs one of ${FSYNC_POLICIES.join(', ')} (got ${raw ?? 'nothing'})`);
  return policy;
}
