import type { DigestAuthConfig } from '@presence/auth';
import { DIGEST_ALGORITHMS, type DigestAlgorithm, type ExpiresPolicy } from '@presence/core';
import type { ConnectionLimits, ListenSpec, TlsCertificate } from '@presence/sip';
import type { ProtectionConfig } from './protection/request-guard.js';

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
  /** Shortest keep-alive period a watcher's RFC 6446 min-rate or adaptive-min-rate gets; absent: 5 s. */
  readonly notifyKeepAliveMinIntervalMs?: number;
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
  /** Limits of the stream transports (connections, timeouts, write queue); absent: the SIP stack's defaults. */
  readonly connections?: ConnectionLimits;
  /**
   * Server header of our responses and User-Agent of our requests (NOTIFY),
   * RFC 3261 §20.35 / §20.41. Absent: `sip-presence/<version>`; false: neither.
   */
  readonly userAgent?: string | false;
  /** Digest authentication of REGISTER, PUBLISH and SUBSCRIBE, or none (anyone may act for any AOR). */
  readonly auth: DigestAuthConfig | 'none';
  /** Caps against floods and runaway clients (README "Limits"). */
  readonly limits: EdgeLimits;
  /** Page-mode MESSAGE delivery and offline store; absent: DEFAULT_MESSAGING. */
  readonly messaging?: MessagingConfig;
  /** Per-source rate limits and overload mode (README "Rate limits and overload"); absent: neither (the CLI always sets it). */
  readonly protection?: ProtectionConfig;
}

/** Instant messaging (README "Instant messaging"). */
export interface MessagingConfig {
  /** Largest MESSAGE body accepted (--max-message-bytes); larger gets 413. */
  readonly maxMessageBytes: number;
  /** Messages stored per offline recipient (--offline-messages-per-user); one more gets 486. */
  readonly offlineMessagesPerUser: number;
  /** How long a stored message waits for its recipient (--offline-message-ttl). */
  readonly offlineMessageTtlMs: number;
  /** Period of the sweep retrying stored messages for recipients that have a binding. */
  readonly sweepIntervalMs: number;
  /** User part of the multi-recipient MESSAGE service, sip:<user>@<served domain> (--message-exploder-user, RFC 5365). */
  readonly exploderUser: string;
}

export const DEFAULT_MESSAGING: MessagingConfig = {
  maxMessageBytes: 65_536,
  offlineMessagesPerUser: 500,
  offlineMessageTtlMs: 7 * 24 * 3600 * 1000,
  sweepIntervalMs: 30_000,
  exploderUser: 'exploder',
};

/** Per-AOR and per-source caps; past one a request is refused with a reason and presence_limit_refusals_total moves. */
export interface EdgeLimits {
  /** Bindings one AOR may hold; past it REGISTER gets 403 "Too many registered contacts". */
  readonly maxContactsPerAor: number;
  /** Subscription dialogs this edge holds for one watcher AOR; past it SUBSCRIBE gets 403. */
  readonly maxSubscriptionsPerWatcher: number;
  /** Subscription dialogs this edge holds created from one IP address; past it SUBSCRIBE gets 503 + Retry-After. */
  readonly maxSubscriptionsPerAddress: number;
  /** Members one resource list may flatten to (--rls-max-members, RFC 4662); more gets 403 naming it. Absent: 1,000. */
  readonly maxListMembers?: number;
  /** Members of resource lists in domains not served here (--rls-foreign-members): shown noresource, or followed by a back-end SUBSCRIBE. Absent: noresource. */
  readonly rlsForeignMembers?: 'noresource' | 'subscribe';
}

/** The edge's digest settings: the shape libs/auth defines, shared with the XCAP server. */
export type { DigestAuthConfig };

/** Nonces live five minutes; failures lock a source or user out for five minutes after the tenth. */
export const DEFAULT_DIGEST_AUTH: DigestAuthConfig = {
  realms: new Map(),
  algorithms: DIGEST_ALGORITHMS,
  nonceLifetimeMs: 300_000,
  lockout: { maxFailures: 10, lockoutMs: 300_000 },
};

/** RFC 3856 §6.4 suggests one hour for presence subscriptions; publications and bindings alike. */
export const DEFAULT_EXPIRES: ExpiresPolicy = { min: 60, max: 3600, default: 3600 };
