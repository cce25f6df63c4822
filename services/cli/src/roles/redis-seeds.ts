import { UsageError } from '@presence/runtime';

/** Where and how to reach a Redis Cluster, from the seeds of `--redis`. */
export interface RedisClusterSeeds {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** Every node is reached with the same ACL user and password (a cluster has one). */
  readonly username?: string;
  readonly password?: string;
}

/**
 * Parses `redis://[user:password@]host:port,...` seeds. Credentials and the
 * scheme may be written on one seed only (the rest inherit them) but never
 * differ between seeds: a cluster answers every node with the same ACL, and
 * silently using one seed's password for all would hide a typo.
 */
export function parseRedisClusterSeeds(seeds: readonly string[]): RedisClusterSeeds {
  const parsed = seeds.map((seed) => {
    const url = parseSeed(seed);
    if (!url.port) throw new UsageError(`--redis: cluster seed "${seed}" needs a port`);
    return {
      node: { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) },
      username: url.username === '' ? undefined : decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
    };
  });
  const username = agreed(parsed.map((p) => p.username), 'user names');
  const password = agreed(parsed.map((p) => p.password), 'passwords');
  return {
    nodes: parsed.map((p) => p.node),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

function parseSeed(seed: string): URL {
  // ioredis would need the cluster's CA for TLS, and no option carries one yet: refuse rather than fail at connect.
  if (seed.startsWith('rediss://')) throw new UsageError(`--redis: "${seed}": TLS (rediss://) to a Redis Cluster is not supported; reach its nodes with redis:// on a private network`);
  try {
    return new URL(seed.startsWith('redis://') ? seed : `redis://${seed}`);
  } catch {
    throw new UsageError(`--redis: "${seed}" is not a redis://[user:password@]host:port address`);
  }
}

function agreed(values: ReadonlyArray<string | undefined>, what: string): string | undefined {
  const given = new Set(values.filter((value): value is string => value !== undefined));
  if (given.size > 1) throw new UsageError(`--redis: cluster seeds carry different ${what}; write them once or the same on every seed`);
  return given.values().next().value;
}
