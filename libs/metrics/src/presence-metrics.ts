import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { protectionMetrics } from './protection-metrics.js';
import type { MetricsSnapshot } from './aggregate-metrics.js';

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
  /** Inbound SIP connections refused by a connection limit. */
  readonly connectionsRefused: Counter<'reason'>;
  /** SIP connections closed by a limit (timeouts, message too large, a peer that does not read). */
  readonly connectionsClosed: Counter<'reason'>;
  readonly notifiesCoalesced: Counter;
  /** RFC 5263 partial-notification bodies sent, by kind (full: <pidf-full>, diff: <pidf-diff>). */
  readonly partialNotifies: Counter<'kind'>;
  readonly publishToNotifySeconds: Histogram;
  readonly watchedPresentities: Gauge;
  readonly busMessagesPerChange: Counter<'direction'>;
  readonly changesPublished: Counter;
  readonly publications: Counter<'action'>;
  readonly busRequestSeconds: Histogram<'outcome'>;
  /** Edge requests an agent dropped unapplied because their deadline had passed (the edge answered 503), by type. */
  readonly busRequestsExpired: Counter<'type'>;
  readonly storeErrors: Counter<'operation'>;
  readonly expirySweeps: Counter<'kind'>;
  readonly registrations: Counter<'action'>;
  readonly ownedPartitions: Gauge;
  readonly leaseChanges: Counter<'change'>;
  readonly authChallenges: Counter<'reason'>;
  readonly authSuccesses: Counter<'algorithm'>;
  readonly authFailures: Counter<'reason'>;
  readonly authLockouts: Counter<'scope'>;
  /** Requests refused by a configured cap (README "Limits"), by which one. */
  readonly limitRefusals: Counter<'limit'>;
  /** Page-mode MESSAGEs (RFC 3428) accepted for delivery by this edge (authenticated, checked, for a served AOR). */
  readonly messagesReceived: Counter;
  /** MESSAGEs a recipient's UA answered 2xx, sent at once (online) or from the offline store (offline). */
  readonly messagesDelivered: Counter<'path'>;
  /** MESSAGEs stored for a recipient without a binding (answered 202). */
  readonly messagesStored: Counter;
  /** Stored MESSAGEs dropped after their time to live, never delivered. */
  readonly messagesExpired: Counter;
  /** MESSAGEs not delivered, by why: every contact refused it (rejected), none answered (unreachable), the offline store was full (store_full). */
  readonly messagesFailed: Counter<'reason'>;
  /** IMDN notices (RFC 5438) the server sent senders, by notice (stored, failed: a multi-recipient copy not delivered) and result: delivered to a contact (sent), kept in the sender's own store (stored), or lost (failed). */
  readonly imdnNotices: Counter<'notice' | 'result'>;
  /** Background messaging work (multi-recipient copies, IMDN notices) still running when a SIGTERM drain's deadline passed. */
  readonly backgroundWorkAbandoned: Counter;
  /** `standalone --workers`: UDP datagrams read by one worker for another, by result (relayed; dropped: link congested or owner down). */
  readonly udpRelays: Counter<'result'>;
  /** `standalone --workers`: edge workers that exited unasked and were forked again. */
  readonly workerRestarts: Counter;
  /** `standalone --workers`: edge workers listening now (set by the primary). */
  readonly edgeWorkers: Gauge;
  /** Copies a multi-recipient MESSAGE (RFC 5365) was exploded into, by result: delivered, stored (recipient offline), failed. */
  readonly messageListCopies: Counter<'result'>;
  /** New requests over their source's rate limit (--rate-limit), by transport and what they got (reject = 503, drop = nothing). */
  readonly rateLimited: Counter<'transport' | 'action'>;
  /** Source addresses the rate limiter tracks a bucket for. */
  readonly rateLimitSources: Gauge;
  /** 1 while the edge is in overload mode (new dialogs and out-of-dialog requests get 503). */
  readonly overloadActive: Gauge;
  /** Times overload mode was entered, by the signal that crossed its bound. */
  readonly overloadEntries: Counter<'cause'>;
  /** Requests refused (503 + Retry-After) because the edge was overloaded, by method. */
  readonly overloadRefusals: Counter<'method'>;
  /** The event-loop lag the overload detector last measured (timer drift). */
  readonly eventLoopLag: Gauge;

  // What operators watch a deployment by (issue "Operate it"): build, load, latency, errors.
  /** Always 1; the labels say what runs. */
  readonly buildInfo: Gauge<'version' | 'commit'>;
  /** Open SIP connections by transport (tcp, ws, ...; UDP has none). */
  readonly connections: Gauge<'transport'>;
  /** Subscription dialogs held by this edge, by RFC 6665 state (active, pending). */
  readonly subscriptions: Gauge<'state'>;
  readonly notifiesInFlight: Gauge;
  /** SIP transactions alive, by kind (server, client). */
  readonly sipTransactions: Gauge<'kind'>;
  /** Location bindings registered through this edge, not lapsed (see RegisteredContacts in the edge). */
  readonly registeredContacts: Gauge;
  /** Members of the resource list subscriptions this edge holds (RFC 4662), one per list and member. */
  readonly listMembers: Gauge;
  /** Partitions whose lease nobody holds, over the cluster, as the last census of this agent saw them. */
  readonly partitionsUnowned: Gauge;
  /** Presentities with publications in the partitions this agent owns, at its last census. */
  readonly publishedPresentities: Gauge;
  /** Every store call, by Store method, failed ones included. */
  readonly storeOperationSeconds: Histogram<'operation'>;
  /** Bus publish and subscribe calls that failed. */
  readonly busErrors: Counter<'operation'>;
  /**
   * Runs `sample` at every render, before the text is made: how gauges whose
   * figures live elsewhere (the SIP stack, the dialog table) are read at
   * scrape time. A sampler must be cheap: it runs once per scrape. Returns
   * its removal.
   */
  onRender(sample: () => void): () => void;
  /** Prometheus text exposition of everything above plus the Node.js process metrics. */
  render(): Promise<string>;
  /** The samples render() would show, as prom-client JSON: one process's part of a sum over processes (aggregateMetrics). */
  snapshot(): Promise<MetricsSnapshot>;
  readonly contentType: string;
}

/** Why a 401 was sent: no credentials, a nonce not ours, wrong credentials (password or user), a spent nonce (expired or replayed count). */
const AUTH_CHALLENGE_REASONS = ['missing', 'foreign_nonce', 'rejected', 'stale'] as const;
/** Why authentication failed: wrong credentials (401), an Authorization not following the grammar (400), an authenticated user acting for another AOR (403). */
const AUTH_FAILURE_REASONS = ['credentials', 'malformed', 'identity'] as const;
/** Whose lockout refused a request (403 without a challenge). */
const AUTH_LOCKOUT_SCOPES = ['source', 'user'] as const;
/** The caps that refuse a request when reached; zeroed so a dashboard sees each before it first bites. */
export const LIMIT_NAMES = ['contacts_per_aor', 'subscriptions_per_watcher', 'subscriptions_per_address'] as const;
const AUTH_ALGORITHMS = ['SHA-256', 'MD5'] as const;

export interface PresenceMetricsOptions {
  /** prom-client's process and Node.js metrics; default true. */
  readonly processMetrics?: boolean;
  /** Sets presence_build_info; without it the metric has no sample. */
  readonly build?: { readonly version: string; readonly commit: string };
}

export function createPresenceMetrics(options: PresenceMetricsOptions = {}): PresenceMetrics {
  const prefix = 'presence_';
  const registry = new Registry();
  if (options.processMetrics ?? true) collectProcessMetrics(registry);
  const registers = [registry];
  const samplers = new Set<() => void>();
  const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

  const operations = {
    // Summed over a standalone server's worker processes it would count them: one build, one 1.
    buildInfo: new Gauge({ name: `${prefix}build_info`, help: 'Version and commit of the running code (always 1)', labelNames: ['version', 'commit'], aggregator: 'max', registers }),
    connections: new Gauge({ name: `${prefix}connections`, help: 'Open SIP connections, by transport (UDP has none)', labelNames: ['transport'], registers }),
    subscriptions: new Gauge({ name: `${prefix}subscriptions`, help: 'Subscription dialogs held by this edge, by state (active, pending)', labelNames: ['state'], registers }),
    notifiesInFlight: new Gauge({ name: `${prefix}notifies_in_flight`, help: 'NOTIFYs sent and still waiting for their final response', registers }),
    sipTransactions: new Gauge({ name: `${prefix}sip_transactions`, help: 'SIP transactions alive, by kind (server, client), those absorbing retransmissions included', labelNames: ['kind'], registers }),
    registeredContacts: new Gauge({ name: `${prefix}registered_contacts`, help: 'Location bindings whose last REGISTER came through this edge, not lapsed', registers }),
    listMembers: new Gauge({ name: `${prefix}list_members`, help: 'Members of the resource list subscriptions this edge holds (RFC 4662), one per list and member', registers }),
    partitionsUnowned: new Gauge({ name: `${prefix}partitions_unowned`, help: 'Partitions whose lease no agent holds, over the whole cluster, at this agent\'s last census', registers }),
    publishedPresentities: new Gauge({ name: `${prefix}published_presentities`, help: 'Presentities with publications in the partitions this agent owns, at its last census', registers }),
    storeOperationSeconds: new Histogram({ name: `${prefix}store_operation_seconds`, help: 'Store call latency, by operation (Store method), failed calls included', labelNames: ['operation'], buckets: latencyBuckets, registers }),
    busErrors: new Counter({ name: `${prefix}bus_errors_total`, help: 'Bus publish and subscribe calls that failed, by operation', labelNames: ['operation'], registers }),
  };
  if (options.build) operations.buildInfo.set({ version: options.build.version, commit: options.build.commit }, 1);

  const catalogue: PresenceMetrics = {
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
    connectionsRefused: new Counter({ name: `${prefix}connections_refused_total`, help: 'Inbound SIP connections refused, by limit (global_limit, per_address_limit)', labelNames: ['reason'], registers }),
    connectionsClosed: new Counter({
      name: `${prefix}connections_closed_total`,
      help: 'SIP connections closed by a limit, by reason (header_timeout, idle_timeout, message_too_large, write_queue_full)',
      labelNames: ['reason'],
      registers,
    }),
    notifiesCoalesced: new Counter({ name: `${prefix}notifies_coalesced_total`, help: 'State changes folded into a later NOTIFY by rate limiting (RFC 6446)', registers }),
    partialNotifies: new Counter({ name: `${prefix}partial_notifies_total`, help: 'NOTIFY bodies sent to pidf-diff watchers (RFC 5263), by kind (full, diff)', labelNames: ['kind'], registers }),
    publishToNotifySeconds: new Histogram({ name: `${prefix}publish_to_notify_seconds`, help: 'Time from the committed change to the NOTIFY leaving the edge', buckets: latencyBuckets, registers }),
    watchedPresentities: new Gauge({ name: `${prefix}watched_presentities`, help: 'Presentities this edge has bus interest in', registers }),
    busMessagesPerChange: new Counter({ name: `${prefix}change_bus_messages_total`, help: 'Change events crossing the bus: published by agents (out) and received by edges (in)', labelNames: ['direction'], registers }),
    changesPublished: new Counter({ name: `${prefix}changes_total`, help: 'Composed-document changes committed by agents', registers }),
    publications: new Counter({ name: `${prefix}publications_total`, help: 'PUBLISH outcomes by action (create, refresh, modify, remove, expire)', labelNames: ['action'], registers }),
    busRequestSeconds: new Histogram({ name: `${prefix}bus_request_seconds`, help: 'Edge to agent request latency, by outcome', labelNames: ['outcome'], buckets: latencyBuckets, registers }),
    busRequestsExpired: new Counter({ name: `${prefix}bus_requests_expired_total`, help: 'Edge requests dropped unapplied by agents because their deadline had passed', labelNames: ['type'], registers }),
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
    limitRefusals: zeroed(
      new Counter({ name: `${prefix}limit_refusals_total`, help: 'Requests refused because a cap was reached, by limit (--max-contacts-per-aor, --max-subscriptions-per-watcher, --max-subscriptions-per-address)', labelNames: ['limit'], registers }),
      'limit',
      LIMIT_NAMES,
    ),
    messagesReceived: new Counter({ name: `${prefix}messages_received_total`, help: 'MESSAGE requests accepted for delivery (authenticated, checked, for a served AOR)', registers }),
    messagesDelivered: zeroed(
      new Counter({ name: `${prefix}messages_delivered_total`, help: 'MESSAGEs answered 2xx by the recipient, by path (online, offline: from the store)', labelNames: ['path'], registers }),
      'path',
      ['online', 'offline'],
    ),
    messagesStored: new Counter({ name: `${prefix}messages_stored_total`, help: 'MESSAGEs stored for a recipient without a binding (answered 202)', registers }),
    messagesExpired: new Counter({ name: `${prefix}messages_expired_total`, help: 'Stored MESSAGEs dropped after their time to live, never delivered', registers }),
    messagesFailed: zeroed(
      new Counter({ name: `${prefix}messages_failed_total`, help: 'MESSAGEs not delivered, by reason (rejected, unreachable, store_full)', labelNames: ['reason'], registers }),
      'reason',
      ['rejected', 'unreachable', 'store_full'],
    ),
    imdnNotices: new Counter({ name: `${prefix}imdn_notices_total`, help: 'IMDN notifications the server sent senders, by notice (stored, failed) and result (sent, stored, failed)', labelNames: ['notice', 'result'], registers }),
    backgroundWorkAbandoned: new Counter({ name: `${prefix}background_work_abandoned_total`, help: 'Multi-recipient copies and IMDN notices still in flight when the stop drain deadline passed', registers }),
    udpRelays: new Counter({ name: `${prefix}udp_relays_total`, help: 'UDP datagrams one worker read for another (standalone --workers), by result: relayed, or dropped (link congested, owner down)', labelNames: ['result'], registers }),
    edgeWorkers: new Gauge({ name: `${prefix}edge_workers`, help: 'Edge worker processes listening (standalone --workers; 0 when the edge runs in the one process)', registers }),
    workerRestarts: new Counter({ name: `${prefix}worker_restarts_total`, help: 'Edge workers (standalone --workers) that exited unasked and were forked again', registers }),
    messageListCopies: zeroed(
      new Counter({ name: `${prefix}message_list_copies_total`, help: 'Copies of multi-recipient MESSAGEs (RFC 5365), by result (delivered, stored, failed)', labelNames: ['result'], registers }),
      'result',
      ['delivered', 'stored', 'failed'],
    ),
    ...protectionMetrics(prefix, registers),
    ...operations,
    onRender(sample) {
      samplers.add(sample);
      return () => samplers.delete(sample);
    },
    render: () => {
      for (const sample of samplers) sample();
      return registry.metrics();
    },
    snapshot: () => {
      for (const sample of samplers) sample();
      return registry.getMetricsAsJSON();
    },
    contentType: registry.contentType,
  };
  startAtZero(catalogue);
  return catalogue;
}

/** Shows every label value from the start (at 0), so a rate over the counter has a beginning and dashboards see the series. */
function zeroed<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> {
  for (const value of values) counter.inc({ [label]: value } as Partial<Record<L, string>>, 0);
  return counter;
}

/**
 * Series of counters that move on errors (and of the lease changes) exist
 * at 0 from the start for every label value known here, so rate() and
 * increase() alerts see them before the first error. The store's
 * operations are set where its wrapper is (they are the store's to list).
 */
function startAtZero(metrics: PresenceMetrics): void {
  zeroed(metrics.internalErrors, 'source', ['sip', 'notify', 'subscription_end', 'unhandled_rejection', 'uncaught_exception']);
  zeroed(metrics.handlerErrors, 'method', ['REGISTER', 'PUBLISH', 'SUBSCRIBE', 'OPTIONS', 'MESSAGE']);
  zeroed(metrics.notifiesSent, 'result', ['ok', 'rejected', 'timeout', 'failed']);
  zeroed(metrics.notifiesDropped, 'reason', ['no_state']);
  // The reasons libs/sip reports (ConnectionRefusedReason, ConnectionClosedReason); metrics import no SIP.
  zeroed(metrics.connectionsRefused, 'reason', ['global_limit', 'per_address_limit']);
  zeroed(metrics.connectionsClosed, 'reason', ['header_timeout', 'idle_timeout', 'message_too_large', 'write_queue_full']);
  zeroed(metrics.busErrors, 'operation', ['publish', 'subscribe']);
  zeroed(metrics.leaseChanges, 'change', ['gained', 'lost']);
  zeroed(metrics.udpRelays, 'result', ['relayed', 'dropped']);
  zeroed(metrics.busRequestsExpired, 'type', ['publish', 'subscribe', 'unsubscribe', 'fetch']);
}

/**
 * prom-client's default process and Node.js metrics under their standard,
 * unprefixed names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds,
 * ...), so stock Node.js dashboards and alerts work as they are. Three of
 * them are gauges named `*_total`, which Prometheus conventions reserve for
 * counters (promtool refuses them); each only sums a labelled gauge that
 * stays, so `sum(nodejs_active_handles)` gives what `nodejs_active_handles_total` did.
 */
function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
}

const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
