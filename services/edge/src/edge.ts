import type { Bus } from '@presence/bus';
import type { Subjects } from '@presence/contracts';
import type { DialogStore, LocationStore, TimerClock } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { productToken, type Logger } from '@presence/runtime';
import { createSipStack, type BoundListener, type WireObserver } from '@presence/sip';
import type { EdgeConfig } from './edge-config.js';
import { Notifier } from './egress/notifier.js';
import { PresentityInterest } from './egress/presentity-interest.js';
import { Resync } from './egress/resync.js';
import { AgentClient } from './ingress/agent-client.js';
import { DomainPolicy } from './ingress/domain-policy.js';
import { PublishHandler } from './ingress/publish-handler.js';
import { methodLabel, RequestDispatcher } from './ingress/request-dispatcher.js';
import { SubscribeHandler } from './ingress/subscribe-handler.js';
import { RegisterHandler } from './registrar/register-handler.js';
import { SubscriptionRegistry } from './subscriptions/index.js';

export interface EdgeDeps {
  readonly bus: Bus;
  readonly store: LocationStore & DialogStore;
  /** Also arms the NOTIFY pacing and subscription expiry timers. */
  readonly clock: TimerClock;
  readonly subjects: Subjects;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  readonly config: EdgeConfig;
  /** Sees every SIP message in and out (HEP, pcap tracing); absent costs nothing. */
  readonly onWire?: WireObserver;
}

export interface Edge {
  /** Binds the SIP transports; resolves with the actual addresses (port 0 = ephemeral). */
  start(): Promise<BoundListener[]>;
  /** Subscription dialogs held here. */
  readonly subscriptions: number;
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
    },
    metrics,
  );
  const dispatcher = new RequestDispatcher(metrics, logger);
  const stack = createSipStack({
    listen: config.listen,
    advertisedHost: config.advertisedHost,
    userAgent: config.userAgent === false ? undefined : (config.userAgent ?? productToken()),
    timers: config.sipT1Ms === undefined ? undefined : { t1Ms: config.sipT1Ms },
    limits: { maxMessageBytes: MAX_SIP_MESSAGE_BYTES },
    onRequest: (request) => dispatcher.dispatch(request),
    onResponse: (method, status) => metrics.sipResponses.inc({ method: methodLabel(method), code: String(status) }),
    onInternalError: () => metrics.internalErrors.inc({ source: 'sip' }),
    onHandlerError: (error, request) => {
      metrics.handlerErrors.inc({ method: methodLabel(request.method) });
      logger.error({ err: error, method: request.method }, 'unhandled SIP handler failure');
    },
    logger,
    onWire: deps.onWire,
  });

  const interest = new PresentityInterest(bus, subjects, config.partitionCount, metrics, logger);
  const notifier = new Notifier({ sender: stack, interest, clock, minIntervalMs: config.notifyMinIntervalMs, metrics, logger });
  const resync = new Resync(interest, agent, config.partitionCount, logger);

  const registry = new SubscriptionRegistry({
    agent,
    interest,
    notifier,
    dialogs: store,
    policy: config.subscribeExpires,
    clock,
    edgeId: config.edgeId,
    metrics,
    logger,
  });
  interest.delegate = registry;
  resync.delegate = registry;
  notifier.delegate = registry;

  const domains = new DomainPolicy(config.domains);
  dispatcher.serve({
    REGISTER: new RegisterHandler(store, domains, config.registerExpires, clock, config.edgeId, metrics),
    PUBLISH: new PublishHandler(agent, domains, config.publishExpires),
    SUBSCRIBE: new SubscribeHandler({ subscriptions: registry, domains, contacts: stack }),
    OPTIONS: undefined,
  });
  const stopListening = bus.onReconnect(() => resync.everything());

  return {
    start: () => stack.start(),
    get subscriptions() {
      return registry.size;
    },
    async stop() {
      stopListening();
      await resync.stop();
      registry.stop();
      interest.close();
      await stack.stop();
    },
  };
}

/** Above the PIDF size limit, so an oversize document is refused with 400 naming it rather than dropped. */
const MAX_SIP_MESSAGE_BYTES = 128 * 1024;
