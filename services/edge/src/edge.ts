import { createDigestAuthenticator } from '@presence/auth';
import type { Bus } from '@presence/bus';
import type { Subjects } from '@presence/contracts';
import type { AuthStateStore, Clock, DialogStore, LocationStore, OfflineMessageStore, TimerClock, UserStore, XcapDocumentStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { BackgroundWork, productToken, type Logger } from '@presence/runtime';
import { createSipStack, newCallId, workerCallId, type BoundListener, type SipStack, type TlsCertificate, type WireObserver, type WorkerSharing } from '@presence/sip';
import { DEFAULT_MESSAGING, type DigestAuthConfig, type EdgeConfig } from './edge-config.js';
import { sampleEdgeGauges } from './edge-gauges.js';
import { AuthorizationChanges } from './egress/authorization-changes.js';
import { FilteredViews } from './egress/filtered-views.js';
import { Notifier } from './egress/notifier.js';
import { PresenceBodies } from './egress/notify-bodies.js';
import { PartialPresenceBodies } from './egress/partial-notify.js';
import { WatcherInfoBodies } from './egress/watcher-info-bodies.js';
import { XCAP_DIFF_PACKAGE, XcapDiffWatches } from './egress/xcap-diff-watches.js';
import { WatcherInfoInterest, WINFO_PACKAGE } from './egress/watcher-info-interest.js';
import { WatcherInfoAgent } from './ingress/watcher-info-agent.js';
import { PresentityInterest } from './egress/presentity-interest.js';
import { Resync } from './egress/resync.js';
import { AgentClient } from './ingress/agent-client.js';
import { DomainPolicy } from './ingress/domain-policy.js';
import { FilterSets } from './ingress/filter-sets.js';
import { PublishHandler } from './ingress/publish-handler.js';
import { RealmPolicy } from './ingress/realm-policy.js';
import { RequestAuthenticator } from './ingress/request-authenticator.js';
import { methodLabel, RequestDispatcher } from './ingress/request-dispatcher.js';
import { SubscribeHandler } from './ingress/subscribe-handler.js';
import { ContactDelivery } from './messaging/contact-delivery.js';
import { DeliveryResponder } from './messaging/delivery-responder.js';
import { MessageHandler } from './messaging/message-handler.js';
import { ImdnNotifier } from './messaging/imdn-notifier.js';
import { OfflineDelivery } from './messaging/offline-delivery.js';
import { RequestGuard } from './protection/request-guard.js';
import { RegisterHandler } from './registrar/register-handler.js';
import { RegisteredContacts } from './registrar/registered-contacts.js';
import { SubscriptionRegistry } from './subscriptions/index.js';
import { ListBodies } from './lists/list-bodies.js';
import { ListDirectory } from './lists/list-directory.js';
import { ListEdits } from './lists/list-edits.js';
import { ListIngress } from './lists/list-ingress.js';
import { ListSubscriptions, RESOURCE_LIST_PACKAGE } from './lists/list-subscriptions.js';
import { ForeignMembers } from './lists/foreign-members.js';
import { DEFAULT_MAX_LIST_MEMBERS } from '@presence/policy';

export interface EdgeDeps {
  readonly bus: Bus;
  /** Users and auth state are read only when authentication is on. */
  readonly store: LocationStore & DialogStore & UserStore & AuthStateStore & OfflineMessageStore & XcapDocumentStore;
  /** Also arms the NOTIFY pacing and subscription expiry timers. */
  readonly clock: TimerClock;
  readonly subjects: Subjects;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  readonly config: EdgeConfig;
  /** Sees every SIP message in and out (HEP, pcap tracing); absent costs nothing. */
  readonly onWire?: WireObserver;
  /** This edge is one worker process of a standalone server sharing its listeners (`--workers`); absent: they are its own. */
  readonly sharing?: WorkerSharing;
}

export interface Edge {
  /** Binds the SIP transports; resolves with the actual addresses (port 0 = ephemeral). */
  start(): Promise<BoundListener[]>;
  /** Subscription dialogs held here. */
  readonly subscriptions: number;
  /** New TLS handshakes present `certificate`; connections stay. Throws, changing nothing, when it is unusable. */
  reloadCertificate(certificate: TlsCertificate): void;
  /** A UDP datagram this worker owns that another read (see EdgeDeps.sharing); false when not listening. */
  takeDatagram(listenerIndex: number, datagram: Buffer, address: string, port: number): boolean;
  stop(): Promise<void>;
}

/**
 * The SIP edge: transports, validation, registrar, routing to agents, watcher
 * dialogs and NOTIFYs. Wired bottom up, one room at a time: the SIP stack,
 * egress (change events -> NOTIFYs), subscriptions (dialogs), ingress (SIP in).
 * Reports that go back up (a change arrived, a NOTIFY failed) use delegates
 * set right after the object they report to exists.
 */
export function createEdge(deps: EdgeDeps): Edge {
  const { bus, store, clock, subjects, metrics, logger, config } = deps;
  const agent = new AgentClient(
    bus,
    subjects,
    {
      partitionCount: config.partitionCount,
      timeoutMs: config.agentTimeoutMs,
      retryBudgetMs: config.agentRetryBudgetMs,
      retryAfterSeconds: config.retryAfterSeconds,
      clock,
    },
    metrics,
  );
  const domains = new DomainPolicy(config.domains);
  const authenticator = config.auth === 'none' ? undefined : requestAuthenticator(config.auth, store, clock, domains, metrics);
  const dispatcher = new RequestDispatcher(metrics, logger, authenticator);
  const messaging = config.messaging ?? DEFAULT_MESSAGING;
  const guard = config.protection && new RequestGuard(config.protection, clock, metrics, logger, () => stack.stats().requestsInProgress);
  const stack = createSipStack({
    screen: guard?.screen,
    listen: config.listen,
    tls: config.tls && { certificate: config.tls },
    advertisedHost: config.advertisedHost,
    userAgent: config.userAgent === false ? undefined : (config.userAgent ?? productToken()),
    timers: config.sipT1Ms === undefined ? undefined : { t1Ms: config.sipT1Ms },
    limits: { maxMessageBytes: Math.max(MAX_SIP_MESSAGE_BYTES, messaging.maxMessageBytes + HEADER_ROOM_BYTES) },
    connections: config.connections,
    onConnectionRefused: (reason) => metrics.connectionsRefused.inc({ reason }),
    onConnectionClosed: (reason) => metrics.connectionsClosed.inc({ reason }),
    onRequest: (request) => dispatcher.dispatch(request),
    onResponse: (method, status) => metrics.sipResponses.inc({ method: methodLabel(method), code: String(status) }),
    onInternalError: () => metrics.internalErrors.inc({ source: 'sip' }),
    onHandlerError: (error, request) => {
      metrics.handlerErrors.inc({ method: methodLabel(request.method) });
      logger.error({ err: error, method: request.method }, 'unhandled SIP handler failure');
    },
    logger,
    onWire: deps.onWire,
    sharing: deps.sharing,
  });

  const interest = new PresentityInterest(bus, subjects, config.partitionCount, metrics, logger);
  const notifyPacing = { minIntervalMs: config.notifyMinIntervalMs, keepAliveMinIntervalMs: config.notifyKeepAliveMinIntervalMs };
  const presenceBodies = new PresenceBodies(interest, { filtered: new FilteredViews(metrics), partial: new PartialPresenceBodies(metrics) });
  const notifier = new Notifier({ sender: stack, bodies: presenceBodies, clock, ...notifyPacing, metrics, logger });
  const resync = new Resync(interest, agent, config.partitionCount, logger);
  // RFC 3857 watcher information: the same dialogs, the agent's watcher list as state, one body per dialog.
  const watcherInfo = new WatcherInfoInterest(bus, subjects, config.partitionCount, agent, WINFO_LIST_LIMIT, logger);
  // RFC 5875 xcap-diff: the documents named in the SUBSCRIBE, their changes from xcap.<auid>.
  const xcapDiff = new XcapDiffWatches(store, bus, subjects, XCAP_ROOT, logger);
  const xcapDiffNotifier = new Notifier({ sender: stack, bodies: xcapDiff, clock, ...notifyPacing, metrics, logger });
  const watcherInfoNotifier = new Notifier({ sender: stack, bodies: new WatcherInfoBodies(watcherInfo, clock), clock, ...notifyPacing, metrics, logger });

  // RFC 4662 resource lists: one dialog per list, each member watched through the same interest and decided by its own agent.
  const listDirectory = new ListDirectory(store, config.limits.maxListMembers ?? DEFAULT_MAX_LIST_MEMBERS, clock);
  // Members in other domains: a back-end SUBSCRIBE each when configured (the edge is their subscriber), NOTIFYs back through the dispatcher.
  const foreign =
    config.limits.rlsForeignMembers === 'subscribe'
      ? new ForeignMembers({ sender: stack, contact: () => ownContact(stack), clock, logger, onState: (key, state) => lists.onForeignState(key, state), maxDialogs: MAX_FOREIGN_DIALOGS, expiresS: FOREIGN_EXPIRES_S, ...(deps.sharing ? { callId: () => workerCallId(deps.sharing!, newCallId) } : {}) })
      : undefined;
  const lists = new ListSubscriptions({ directory: listDirectory, agent, interest, serves: (aor) => domains.serves(aor), edgeId: config.edgeId, clock, logger, ...(foreign ? { foreign } : {}) });
  const listNotifier = new Notifier({ sender: stack, bodies: new ListBodies(lists, interest), clock, ...notifyPacing, metrics, logger });
  lists.notifier = listNotifier;
  const listEdits = new ListEdits(bus, subjects, { hasOwner: (o) => lists.hasOwner(o), ownerChanged: (o) => lists.ownerChanged(o), servicesChanged: () => listDirectory.servicesChanged() }, logger);

  const registry = new SubscriptionRegistry({
    agent,
    interest,
    notifier,
    packages: {
      [WINFO_PACKAGE]: { agent: new WatcherInfoAgent(agent, WINFO_LIST_LIMIT), interest: watcherInfo, notifier: watcherInfoNotifier },
      [XCAP_DIFF_PACKAGE]: { agent: xcapDiff.agent, interest: xcapDiff.interest, notifier: xcapDiffNotifier },
      [RESOURCE_LIST_PACKAGE]: { agent: lists, interest: lists.interest, notifier: listNotifier },
    },
    dialogs: store,
    policy: config.subscribeExpires,
    clock,
    edgeId: config.edgeId,
    metrics,
    logger,
    limits: {
      perWatcher: config.limits.maxSubscriptionsPerWatcher,
      perAddress: config.limits.maxSubscriptionsPerAddress,
      retryAfterSeconds: config.retryAfterSeconds,
    },
  });
  lists.dialogs = registry;
  const authorizations = new AuthorizationChanges(bus, subjects, config.edgeId, logger);
  // A presentity's change reaches its single watchers and the lists holding it; a member's authorization its list.
  const changes = {
    onPresentityChanged(presentity: string): void {
      registry.onPresentityChanged(presentity);
      lists.onMemberChanged(presentity);
    },
  };
  interest.delegate = changes;
  authorizations.delegate = { onAuthorization: (change) => lists.onAuthorization(change) || registry.onAuthorization(change) };
  resync.delegate = changes;
  listNotifier.delegate = registry;
  notifier.delegate = registry;
  watcherInfo.delegate = registry;
  watcherInfoNotifier.delegate = registry;
  xcapDiff.delegate = registry;
  xcapDiffNotifier.delegate = registry;

  // A MESSAGE transaction lasts 64*T1 at most (Timer F); another edge answering for its UA gets that and a margin.
  const transactionMs = 64 * (config.sipT1Ms ?? 500);
  const messagingLogger = logger.child({ component: 'messaging' });
  const delivery = new ContactDelivery({ stack, bus, subjects, edgeId: config.edgeId, forwardTimeoutMs: transactionMs + 2000, logger: messagingLogger });
  const responder = new DeliveryResponder(bus, subjects, config.edgeId, delivery, messagingLogger);
  const offline = new OfflineDelivery({
    store,
    delivery,
    clock,
    edgeId: config.edgeId,
    metrics,
    logger: messagingLogger,
    sweepIntervalMs: messaging.sweepIntervalMs,
    lockTtlMs: 2 * transactionMs + 5000,
  });

  // Multi-recipient copies and IMDN notices go on after the answer: held here so stop() waits for them (bounded).
  const background = new BackgroundWork(MAX_BACKGROUND_WORK);

  const contacts = new RegisteredContacts(config.edgeId);
  dispatcher.serve({
    REGISTER: new RegisterHandler(store, domains, config.registerExpires, clock, config.edgeId, metrics, contacts, config.limits.maxContactsPerAor, (aor) =>
      offline.recipientRegistered(aor),
    ),
    PUBLISH: new PublishHandler(agent, domains, config.publishExpires),
    SUBSCRIBE: new SubscribeHandler({ subscriptions: registry, domains, contacts: stack, lists: new ListIngress(listDirectory), filters: new FilterSets() }),
    MESSAGE: new MessageHandler(
      store,
      domains,
      delivery,
      messaging,
      clock,
      metrics,
      new ImdnNotifier(store, delivery, messaging, clock, metrics, messagingLogger, background, (aor) => offline.recipientRegistered(aor)),
      messagingLogger,
      background,
      (aor) => offline.recipientRegistered(aor),
    ),
    OPTIONS: undefined,
    ...(foreign ? { NOTIFY: { handle: async (request) => foreign.handleNotify(request) } } : {}),
  });
  const stopListening = bus.onReconnect(() => {
    resync.everything();
    watcherInfo.refetchAll();
  });
  const stopSampling = sampleEdgeGauges(metrics, { stack, subscriptions: () => registry.size, pendingSubscriptions: () => registry.pendingCount(), registeredContacts: () => contacts.count(clock.now()), listMembers: () => lists.memberCount });

  return {
    async start() {
      const listeners = await stack.start();
      offline.start();
      return listeners;
    },
    get subscriptions() {
      return registry.size;
    },
    reloadCertificate: (certificate) => stack.reloadCertificate(certificate),
    takeDatagram: (listenerIndex, datagram, address, port) => stack.takeDatagram(listenerIndex, datagram, address, port),
    async stop() {
      stopListening();
      stopSampling();
      // Work promised by a 202 needs the stack and the store: it finishes (or is given up on, counted) before they stop.
      const abandoned = await background.drain(BACKGROUND_DRAIN_MS);
      if (abandoned > 0) {
        metrics.backgroundWorkAbandoned.inc(abandoned);
        messagingLogger.warn({ abandoned, deadlineMs: BACKGROUND_DRAIN_MS }, 'stopping with messaging work unfinished (multi-recipient copies, IMDN notices)');
      }
      // Deliveries and forwarded MESSAGEs in flight end when the stack stops (503: they stay stored), not after their Timer F.
      const delivering = offline.stop();
      const forwarding = responder.stop();
      guard?.stop();
      await resync.stop();
      authorizations.stop();
      registry.stop();
      interest.close();
      watcherInfo.close();
      xcapDiff.close();
      listEdits.close();
      lists.close();
      foreign?.close();
      await stack.stop();
      await Promise.all([delivering, forwarding]);
    },
  };
}

/** Back-end SUBSCRIBE dialogs to foreign list members one edge holds at most (--rls-foreign-members subscribe); past it members show noresource. */
const MAX_FOREIGN_DIALOGS = 10_000;
/** Duration asked in each back-end SUBSCRIBE: refreshed at 80 % of what is granted. */
const FOREIGN_EXPIRES_S = 600;

/** Where a member's server sends the NOTIFYs of a back-end subscription: our UDP listener, else TCP. */
function ownContact(stack: Pick<SipStack, 'contactUri'>): string {
  try {
    return stack.contactUri('udp');
  } catch {
    return stack.contactUri('tcp');
  }
}

function requestAuthenticator(
  config: DigestAuthConfig,
  store: UserStore & AuthStateStore,
  clock: Clock,
  domains: DomainPolicy,
  metrics: PresenceMetrics,
): RequestAuthenticator {
  const { digest } = createDigestAuthenticator(config, store, clock);
  return new RequestAuthenticator({ digest, realms: new RealmPolicy(config.realms), domains, metrics });
}

/** Multi-recipient MESSAGEs and IMDN notices in flight after their answer; past it a list MESSAGE is 503. */
const MAX_BACKGROUND_WORK = 1000;
/** How long stop() waits for that work: half the 10 s the process is given to stop (runUntilSignal), the rest for the stack and store. */
const BACKGROUND_DRAIN_MS = 5000;

/** The xcap-root of xcap-diff documents (RFC 5874 §4), relative: the XCAP server's root path (ARCHITECTURE "XCAP"). */
const XCAP_ROOT = '/xcap-root';

/** Most watchers a presence.winfo full state lists; a presentity with more gets 500 naming the count (the agent checks). */
const WINFO_LIST_LIMIT = 1000;

/** Above the PIDF size limit, so an oversize document is refused with 400 naming it rather than dropped. */
const MAX_SIP_MESSAGE_BYTES = 128 * 1024;
/** Above --max-message-bytes, room for the headers, so a body just past the cap gets 413 naming it rather than a 513. */
const HEADER_ROOM_BYTES = 8 * 1024;
