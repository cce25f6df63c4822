import type { ExpiresPolicy } from '@presence/core';
import type { ListenSpec, TlsCertificate } from '@presence/sip';

export interface EdgeConfig {
  readonly edgeId: string;
  readonly listen: readonly ListenSpec[];
  /** Served domains; empty or `*` serves any. */
  readonly domains: readonly string[];
  readonly partitionCount: number;
  readonly publishExpires: ExpiresPolicy;
  readonly subscribeExpires: ExpiresPolicy;
  readonly registerExpires: ExpiresPolicy;
  /** Per-watcher NOTIFY rate limit (RFC 6446); 0 = off. */
  readonly notifyMinIntervalMs: number;
  /** One edge -> agent request attempt. */
  readonly agentTimeoutMs: number;
  /** Retrying while a partition has no owner, before answering 503. */
  readonly agentRetryBudgetMs: number;
  readonly retryAfterSeconds: number;
  /** Certificate (PEM) of the tls and wss listeners; required when `listen` has one. */
  readonly tls?: TlsCertificate;
  /** Host we put in Via/Contact; defaults to the first listen address. */
  readonly advertisedHost?: string;
  /** RFC 3261 timer T1 (ms): Timer F for NOTIFY transactions is 64*T1. */
  readonly sipT1Ms?: number;
  /**
   * Server header of our responses and User-Agent of our requests (NOTIFY),
   * RFC 3261 §20.35 / §20.41. Absent: `sip-presence/<version>`; false: neither.
   */
  readonly userAgent?: string | false;
}

/** RFC 3856 §6.4 suggests one hour for presence subscriptions; publications and bindings alike. */
export const DEFAULT_EXPIRES: ExpiresPolicy = { min: 60, max: 3600, default: 3600 };
