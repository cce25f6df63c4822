/**
 * What every script reads from `__ENV` (k6 run -e NAME=value): where the
 * server is, which users to be, how much load. Read in the init context, so
 * a bad value fails the run before any VU starts.
 */

export interface TargetConfig {
  /** `ws://host:port` or `wss://host:port` (RFC 7118, subprotocol sip). */
  readonly url: string;
  /** SIP domain of every AOR; defaults to the host of the URL. */
  readonly domain: string;
  /** Users are `<prefix><n>` for n in 0 … users-1. */
  readonly userPrefix: string;
  readonly users: number;
  /** Set: answer 401/407 digest challenges as user `<prefix><n>` with this password. */
  readonly password: string | undefined;
  /** How long to wait for a final response (WebSocket is reliable: no retransmissions). */
  readonly transactionTimeoutMs: number;
}

export function targetConfig(env: Readonly<Record<string, string | undefined>>): TargetConfig {
  const url = env['SIP_URL'] ?? 'ws://127.0.0.1:8080';
  const host = /^wss?:\/\/(\[[^\]]+\]|[^:/]+)/.exec(url);
  if (!host) throw new Error(`SIP_URL must be ws://host:port or wss://host:port, got ${url}`);
  return {
    url,
    domain: env['SIP_DOMAIN'] ?? host[1] ?? '',
    userPrefix: env['SIP_USER_PREFIX'] ?? 'k6u',
    users: positiveInt(env, 'USERS', 1000),
    password: env['SIP_PASSWORD'] === undefined || env['SIP_PASSWORD'] === '' ? undefined : env['SIP_PASSWORD'],
    transactionTimeoutMs: durationMs(env, 'SIP_TIMEOUT', '10s'),
  };
}

/** `<prefix><n mod users>` */
export function userName(target: TargetConfig, n: number): string {
  return `${target.userPrefix}${n % target.users}`;
}

export function positiveInt(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

export function nonNegativeNumber(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, got ${text}`);
  return value;
}

/** A k6-style duration from the environment (`90s`, `1m30s`, `250ms`), in ms. */
export function durationMs(env: Readonly<Record<string, string | undefined>>, name: string, fallback: string): number {
  const text = env[name] === undefined || env[name] === '' ? fallback : (env[name] as string);
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new Error(`${name} must be a duration such as 30s, 1m30s or 250ms, got ${text}`);
  return ms;
}

/** `1h2m3s`, `1.5s`, `250ms`, or a bare number of seconds; undefined if malformed. */
export function parseDurationMs(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? 0);
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/** How the VUs run: a fixed number of iterations per VU (ITERATIONS), else as many as fit in DURATION. */
export function vuScenario(env: Readonly<Record<string, string | undefined>>, defaultVus: number, exec: string) {
  const vus = positiveInt(env, 'VUS', defaultVus);
  const iterations = env['ITERATIONS'];
  if (iterations !== undefined && iterations !== '') {
    return { executor: 'per-vu-iterations' as const, vus, iterations: positiveInt(env, 'ITERATIONS', 1), maxDuration: env['MAX_DURATION'] ?? '10m', exec };
  }
  return { executor: 'constant-vus' as const, vus, duration: env['DURATION'] ?? '30s', exec };
}
