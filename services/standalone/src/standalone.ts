import { LocalBus, type Bus } from '@presence/bus';
import { createSubjects } from '@presence/contracts';
import { systemClock, type PublicationLimits, type Store, type TimerClock } from '@presence/core';
import { createEdge, type EdgeConfig } from '@presence/edge';
import { aggregateMetrics, createPresenceMetrics, type PresenceMetrics } from '@presence/metrics';
import { createPresenceAgent, type PresenceAgentDeps } from '@presence/presence-agent';
import { buildInfo, startOpsServer, type AdminMount, type Logger, type OpsServer } from '@presence/runtime';
import { createMemoryStore } from '@presence/store';
import type { BoundListener, TlsCertificate, WireObserver } from '@presence/sip';
import { meteredBus, meteredStore } from './backend-metrics.js';
import type { XcapServiceOptions } from '@presence/xcap';
import { startWorkerPool, type WorkerPool } from './workers/worker-pool.js';

export interface StandaloneOptions {
  readonly edge: EdgeConfig;
  /** Where /metrics, /healthz and /readyz are served; undefined = not served. */
  readonly http?: { readonly host: string; readonly port: number };
  /** Directory for the memory store's snapshot; undefined = nothing survives a restart. */
  readonly dataDir?: string;
  readonly logger: Logger;
  /** Defaults to an in-process bus (meteredBus); a given bus (e.g. NATS) is closed on stop. */
  readonly bus?: Bus;
  /**
   * Defaults to a memory store in `dataDir`, metered (meteredStore: calls
   * timed, failures counted); a given store (e.g. Redis) is closed on stop
   * and is metered if its opener made it so. The same goes for the bus.
   */
  readonly store?: Store;
  /**
   * The edge's own bus and store when they are not the agent's: how an edge
   * in another process reaches them (IpcBus, createIpcStore; see
   * "Standalone on more than one core"). Closed on stop, after the edge.
   * Absent: the edge shares `bus` and `store` with the agent.
   */
  readonly edgeBackends?: { readonly bus: Bus; readonly store: Store };
  /**
   * `--workers N` (N ≥ 2): the edge runs in N worker processes forked with
   * node:cluster (this process must be the cluster primary, and the forked
   * process must run startEdgeWorker); this one keeps the agent, bus, store,
   * HTTP and XCAP. Absent: the edge runs here.
   */
  readonly workers?: { readonly count: number };
  readonly subjectPrefix?: string;
  readonly clock?: TimerClock;
  readonly metrics?: PresenceMetrics;
  /** The admin API on the `http` listener; absent: none. */
  readonly admin?: AdminMount;
  /** Sees every SIP message in and out (tracing). */
  readonly onWire?: WireObserver;
  /** What one presentity may hold (the agent's --max-publications-per-presentity, --max-presence-document-bytes). */
  readonly publicationLimits?: PublicationLimits;
  /** What a watcher no pres-rule covers gets (`--default-sub-handling`; default confirm). */
  readonly defaultSubHandling?: PresenceAgentDeps['defaultSubHandling'];
  /** An XCAP server on the same store and bus (`--xcap-listen`); absent: none. */
  readonly xcap?: Omit<XcapServiceOptions, 'store' | 'bus' | 'subjects' | 'clock' | 'logger' | 'registry'>;
}

export interface Standalone {
  readonly sip: readonly BoundListener[];
  readonly http: OpsServer | undefined;
  /** Where XCAP listens, when asked for. */
  readonly xcap: { readonly host: string; readonly port: number } | undefined;
  readonly metrics: PresenceMetrics;
  /** The edge worker processes (`workers`); absent: the edge runs in this process. */
  readonly workers: WorkerPool | undefined;
  /** New TLS handshakes present `certificate`; connections stay. Throws, changing nothing, when it is unusable. */
  reloadCertificate(certificate: TlsCertificate): void;
  /** Drains in reverse order of start: SIP first, then the agent, bus, store (snapshot), HTTP. */
  stop(): Promise<void>;
}

/**
 * Every role in one process (ARCHITECTURE "standalone"): edge and presence
 * agent talk over an in-process bus exactly as they would over NATS, and share
 * one memory store — or, when given, a NATS bus and a Redis store.
 */
export async function startStandalone(options: StandaloneOptions): Promise<Standalone> {
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createPresenceMetrics({ build: buildInfo() });
  const logger = options.logger;
  const subjects = createSubjects(options.subjectPrefix);
  const store = options.store ?? meteredStore(await createMemoryStore({ clock, dataDir: options.dataDir, logger: logger.child({ component: 'store' }) }), metrics);
  const bus = options.bus ?? meteredBus(new LocalBus({ logger: logger.child({ component: 'bus' }) }), metrics);
  const agent = createPresenceAgent({
    bus,
    store,
    clock,
    subjects,
    partitionCount: options.edge.partitionCount,
    memberId: options.edge.edgeId,
    publicationLimits: options.publicationLimits,
    defaultSubHandling: options.defaultSubHandling,
    metrics,
    logger: logger.child({ component: 'agent' }),
  });
  const edgeBackends = options.edgeBackends ?? { bus, store };
  const inProcessEdge = options.workers === undefined;
  const edge = inProcessEdge ? createEdge({ ...edgeBackends, clock, subjects, metrics, logger: logger.child({ component: 'edge' }), config: options.edge, onWire: options.onWire }) : undefined;
  const closeEdgeBackends = async (): Promise<void> => {
    if (options.edgeBackends === undefined) return;
    await options.edgeBackends.bus.close();
    await options.edgeBackends.store.close();
  };
  let stopping = false;
  const stops: (() => Promise<void>)[] = [];
  try {
    await agent.start();
    stops.unshift(() => agent.stop());
    let sip: readonly BoundListener[];
    let workers: WorkerPool | undefined;
    if (edge !== undefined) {
      sip = await edge.start();
      stops.unshift(async () => {
        await edge.stop();
        await closeEdgeBackends();
      });
    } else {
      workers = await startWorkerPool({
        count: options.workers?.count ?? 2,
        bus,
        store,
        logger: logger.child({ component: 'workers' }),
        onRestart: () => metrics.workerRestarts.inc(),
        onListening: (count) => metrics.edgeWorkers.set(count),
      });
      const pool = workers;
      stops.unshift(() => pool.stop());
      sip = pool.listeners;
    }
    // With workers, /metrics sums this process's series and theirs (prom-client's AggregatorRegistry).
    const pool = workers;
    const served: PresenceMetrics = pool === undefined ? metrics : { ...metrics, render: async () => aggregateMetrics([await metrics.snapshot(), ...(await pool.snapshots())]) };
    // Loaded only when asked for: an XCAP server brings its XML schema engine.
    const xcapServer = options.xcap && (await (await import('@presence/xcap')).createXcapServer({ ...options.xcap, store, bus, subjects, clock, logger: logger.child({ component: 'xcap' }), registry: metrics.registry }));
    const xcap = xcapServer && (await xcapServer.start());
    if (xcapServer) stops.unshift(() => xcapServer.stop());
    const http = options.http
      ? await startOpsServer({
          ...options.http,
          metrics: served,
          health: { live: () => !stopping, ready: async () => !stopping && (await store.ping()) },
          about: { role: 'standalone', id: options.edge.edgeId },
          admin: options.admin,
        })
      : undefined;
    if (http) stops.push(() => http.close());
    logger.info({ sip, http: http && `${http.host}:${http.port}`, xcap: xcap && `${xcap.host}:${xcap.port}` }, 'standalone presence server listening');
    return {
      sip: [...sip],
      http,
      xcap,
      metrics,
      workers,
      // With workers, each reads the certificate files itself when told to reload (WorkerPool.reload).
      reloadCertificate: (certificate) => {
        edge?.reloadCertificate(certificate);
        xcapServer?.reloadCertificate(certificate);
      },
      async stop() {
        stopping = true;
        for (const stop of stops) await stop();
        await bus.close();
        await store.close();
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => undefined);
    await closeEdgeBackends().catch(() => undefined);
    await bus.close();
    await store.close();
    throw error;
  }
}
