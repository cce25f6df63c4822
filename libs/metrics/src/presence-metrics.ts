import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metric catalogue: every metric the processes export, in one place.
 * Labels are low-cardinality by rule: never an AOR, Call-ID or address.
 */
export interface PresenceMetrics {
  readonly registry: Registry;
  readonly sipRequests: Counter<'method'>;
  readonly sipResponses: Counter<'method' | 'code'>;
  readonly handlerErrors: Counter<'method'>;
  readonly internalErrors: Counter<'source'>;
  readonly notifiesSent: Counter<'result'>;
  readonly notifiesDropped: Counter<'reason'>;
  readonly notifiesCoalesced: Counter;
  readonly publishToNotifySeconds: Histogram;
  readonly activeSubscriptions: Gauge;
  readonly watchedPresentities: Gauge;
  readonly busMessagesPerChange: Counter<'direction'>;
  readonly changesPublished: Counter;
  readonly publications: Counter<'action'>;
  readonly busRequestSeconds: Histogram<'outcome'>;
  readonly storeErrors: Counter<'operation'>;
  readonly expirySweeps: Counter<'kind'>;
  readonly registrations: Counter<'action'>;
  readonly ownedPartitions: Gauge;
  readonly leaseChanges: Counter<'change'>;
  readonly authChallenges: Counter<'reason'>;
  readonly authSuccesses: Counter<'algorithm'>;
  readonly authFailures: Counter<'reason'>;
  readonly authLockouts: Counter<'scope'>;
  /** Prometheus text exposition of everything above plus process metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Why a 401 was sent: no credentials, a nonce not ours, wrong credentials (password or user), a spent nonce (expired or replayed count). */
const AUTH_CHALLENGE_REASONS = ['missing', 'foreign_nonce', 'rejected', 'stale'] as const;
/** Why authentication failed: wrong credentials (401), an Authorization not following the grammar (400), an authenticated user acting for another AOR (403). */
const AUTH_FAILURE_REASONS = ['credentials', 'malformed', 'identity'] as const;
/** Whose lockout refused a request (403 without a challenge). */
const AUTH_LOCKOUT_SCOPES = ['source', 'user'] as const;
const AUTH_ALGORITHMS = ['SHA-256', 'MD5'] as const;

export function createPresenceMetrics(options: { prefix?: string; processMetrics?: boolean } = {}): PresenceMetrics {
  const prefix = options.prefix ?? 'presence_';
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

  return {
    registry,
    sipRequests: new Counter({ name: `${prefix}sip_requests_total`, help: 'SIP requests received, by method', labelNames: ['method'], registers }),
    sipResponses: new Counter({ name: `${prefix}sip_responses_total`, help: 'SIP responses sent, by request method and status code', labelNames: ['method', 'code'], registers }),
    handlerErrors: new Counter({ name: `${prefix}sip_handler_errors_total`, help: 'Unexpected failures in request handlers (answered 500)', labelNames: ['method'], registers }),
    internalErrors: new Counter({
      name: `${prefix}internal_errors_total`,
      help: 'Failures of our own code caught without stopping the process (each costs one message or NOTIFY), by where they were caught',
      labelNames: ['source'],
      registers,
    }),
    notifiesSent: new Counter({ name: `${prefix}notifies_sent_total`, help: 'NOTIFY requests sent, by outcome (ok, rejected, timeout, failed)', labelNames: ['result'], registers }),
    notifiesDropped: new Counter({ name: `${prefix}notifies_dropped_total`, help: 'NOTIFYs not sent, by reason', labelNames: ['reason'], registers }),
    notifiesCoalesced: new Counter({ name: `${prefix}notifies_coalesced_total`, help: 'State changes folded into a later NOTIFY by rate limiting (RFC 6446)', registers }),
    publishToNotifySeconds: new Histogram({ name: `${prefix}publish_to_notify_seconds`, help: 'Time from the committed change to the NOTIFY leaving the edge', buckets: latencyBuckets, registers }),
    activeSubscriptions: new Gauge({ name: `${prefix}active_subscriptions`, help: 'Subscription dialogs held by this edge', registers }),
    watchedPresentities: new Gauge({ name: `${prefix}watched_presentities`, help: 'Presentities this edge has bus interest in', registers }),
    busMessagesPerChange: new Counter({ name: `${prefix}change_bus_messages_total`, help: 'Change events crossing the bus: published by agents (out) and received by edges (in)', labelNames: ['direction'], registers }),
    changesPublished: new Counter({ name: `${prefix}changes_total`, help: 'Composed-document changes committed by agents', registers }),
    publications: new Counter({ name: `${prefix}publications_total`, help: 'PUBLISH outcomes by action (create, refresh, modify, remove, expire)', labelNames: ['action'], registers }),
    busRequestSeconds: new Histogram({ name: `${prefix}bus_request_seconds`, help: 'Edge to agent request latency, by outcome', labelNames: ['outcome'], buckets: latencyBuckets, registers }),
    storeErrors: new Counter({ name: `${prefix}store_errors_total`, help: 'Store operations that failed', labelNames: ['operation'], registers }),
    expirySweeps: new Counter({ name: `${prefix}expired_total`, help: 'Soft state removed by expiry, by kind', labelNames: ['kind'], registers }),
    registrations: new Counter({ name: `${prefix}registrations_total`, help: 'REGISTER outcomes by action (bind, refresh, unbind, query)', labelNames: ['action'], registers }),
    ownedPartitions: new Gauge({ name: `${prefix}owned_partitions`, help: 'Partitions this presence agent holds the lease of', registers }),
    leaseChanges: new Counter({ name: `${prefix}lease_changes_total`, help: 'Partition leases gained and lost by this agent', labelNames: ['change'], registers }),
    authChallenges: zeroed(
      new Counter({ name: `${prefix}auth_challenges_total`, help: 'Digest challenges sent (401), by reason', labelNames: ['reason'], registers }),
      'reason',
      AUTH_CHALLENGE_REASONS,
    ),
    authSuccesses: zeroed(
      new Counter({ name: `${prefix}auth_successes_total`, help: 'Requests authenticated by digest, by algorithm', labelNames: ['algorithm'], registers }),
      'algorithm',
      AUTH_ALGORITHMS,
    ),
    authFailures: zeroed(
      new Counter({ name: `${prefix}auth_failures_total`, help: 'Failed authentications, by reason', labelNames: ['reason'], registers }),
      'reason',
      AUTH_FAILURE_REASONS,
    ),
    authLockouts: zeroed(
      new Counter({ name: `${prefix}auth_lockouts_total`, help: 'Requests refused (403, no challenge) because their source or user failed too often', labelNames: ['scope'], registers }),
      'scope',
      AUTH_LOCKOUT_SCOPES,
    ),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Shows every label value from the start (at 0), so a rate over the counter has a beginning and dashboards see the series. */
function zeroed<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> {
  for (const value of values) counter.inc({ [label]: value } as Partial<Record<L, string>>, 0);
  return counter;
}
