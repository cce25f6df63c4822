import type { ConnectionOptions } from 'nats';
import type { BusLogger } from '../bus-logger.js';

export interface NatsBusOptions {
  /** One or more `nats://host:port` URLs (a cluster: the client picks one and fails over). */
  readonly servers: string | readonly string[];
  /** Connection name shown by the server (monitoring, logs): e.g. `edge-<pod>`. */
  readonly name?: string;
  readonly logger?: BusLogger;
  /** Credentials, when the server requires them. */
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** Time allowed to open a connection (TCP + handshake); default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Wait between reconnect attempts to one server; default 1 000 ms. The
   * client reconnects forever: a bus never gives up on its own.
   */
  readonly reconnectTimeWaitMs?: number;
  /**
   * Random extra wait, 0..reconnectJitterMs, added to every attempt so a fleet
   * of processes does not reconnect in lockstep after a NATS restart; default 1 000 ms.
   */
  readonly reconnectJitterMs?: number;
  /**
   * Client PING period; a connection with `maxPingOut` PINGs unanswered is
   * deemed dead and replaced (detects a half-open TCP connection within
   * about pingIntervalMs × (maxPingOut + 1)); defaults 10 000 ms and 2.
   */
  readonly pingIntervalMs?: number;
  readonly maxPingOut?: number;
  /**
   * Upper bound on the network part of close() (draining subscriptions,
   * flushing) when the server cannot be reached; the connection is then
   * closed without it. Handlers still running are always waited for. Default 5 000 ms.
   */
  readonly drainTimeoutMs?: number;
}

export const NATS_BUS_DEFAULTS = {
  connectTimeoutMs: 5_000,
  reconnectTimeWaitMs: 1_000,
  reconnectJitterMs: 1_000,
  pingIntervalMs: 10_000,
  maxPingOut: 2,
  drainTimeoutMs: 5_000,
} as const;

/** The nats.js connection options for a NatsBus. */
export function toConnectionOptions(options: NatsBusOptions): ConnectionOptions {
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  return {
    servers,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.pass === undefined ? {} : { pass: options.pass }),
    ...(options.token === undefined ? {} : { token: options.token }),
    timeout: options.connectTimeoutMs ?? NATS_BUS_DEFAULTS.connectTimeoutMs,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? NATS_BUS_DEFAULTS.reconnectTimeWaitMs,
    reconnectJitter: options.reconnectJitterMs ?? NATS_BUS_DEFAULTS.reconnectJitterMs,
    reconnectJitterTLS: options.reconnectJitterMs ?? NATS_BUS_DEFAULTS.reconnectJitterMs,
    pingInterval: options.pingIntervalMs ?? NATS_BUS_DEFAULTS.pingIntervalMs,
    maxPingOut: options.maxPingOut ?? NATS_BUS_DEFAULTS.maxPingOut,
    // Fail the first connect at once rather than retrying forever inside connect():
    // the caller (process start-up) decides whether to retry or exit.
    waitOnFirstConnect: false,
    // We map every error at this boundary; the extra stack capture per request is wasted.
    noAsyncTraces: true,
  };
}
