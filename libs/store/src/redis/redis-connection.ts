import { Cluster, Redis, ReplyError } from 'ioredis';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  readonly url: string | undefined;
  readonly cluster: ReadonlyArray<{ readonly host: string; readonly port: number }> | undefined;
  /** How every cluster node is reached (a standalone Redis takes these from its url). */
  readonly clusterAccess?: RedisClusterAccess;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** ACL user and password shared by every node of a Redis Cluster. */
export interface RedisClusterAccess {
  readonly username?: string;
  readonly password?: string;
}

/** Pause before reconnect attempt n: 50 ms more each time, never more than 1 s; never gives up. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * attempt, 1_000);
}

/**
 * A client that fails fast instead of queueing while Redis is away
 * (ARCHITECTURE "Failure model": Redis unavailable -> 503 + Retry-After):
 *
 * - no offline queue: a command issued while disconnected rejects at once;
 * - maxRetriesPerRequest 0 and no automatic resend: commands in flight when
 *   the connection drops reject at once and are never replayed behind the
 *   caller's back (a replayed commit could land after the caller gave up);
 * - commandTimeout: a command on a connection that went silent (network
 *   partition, no RST) rejects after `commandTimeoutMs`;
 * - reconnects forever in the background (reconnectDelay), so the store
 *   recovers by itself when Redis is back.
 *
 * lazyConnect: the caller awaits connect() for the first connection.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const perConnection = {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
  } as const;
  if (options.cluster !== undefined) {
    return new Cluster(
      options.cluster.map((node) => ({ host: node.host, port: node.port })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: (attempt: number) => reconnectDelay(attempt),
        redisOptions: { ...perConnection, ...clusterNodeAccess(options.clusterAccess) },
      },
    );
  }
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', {
    ...perConnection,
    enableOfflineQueue: false,
    retryStrategy: (attempt: number) => reconnectDelay(attempt),
  });
}

function clusterNodeAccess(access: RedisClusterAccess | undefined): { username?: string; password?: string } {
  if (access === undefined) return {};
  return {
    ...(access.username === undefined ? {} : { username: access.username }),
    ...(access.password === undefined ? {} : { password: access.password }),
  };
}

/** Error replies that mean "not now" rather than "wrong request". */
const TEMPORARY_REPLIES = ['LOADING', 'BUSY', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'OOM', 'NOREPLICAS', 'MISCONF'];

/**
 * What a failed Redis call becomes: an error reply that names a temporary
 * condition, and every client-side failure (not connected, connection lost,
 * timed out, cluster not ready), is a StoreUnavailableError; any other error
 * reply is a bug (wrong type, script error) and passes unchanged (500).
 */
export function toStoreError(error: unknown, operation: string, retryAfterSeconds: number): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const message = describeRedisError(error);
  if (error instanceof ReplyError && !TEMPORARY_REPLIES.some((prefix) => message.startsWith(prefix))) return error;
  return new StoreUnavailableError(operation, message, retryAfterSeconds, { cause: error });
}

/** ioredis hides why a cluster could not be reached ("Failed to refresh slots cache") behind lastNodeError: say both. */
function describeRedisError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { lastNodeError?: unknown }).lastNodeError;
  return cause instanceof Error ? `${error.message} (last node: ${cause.message})` : error.message;
}
