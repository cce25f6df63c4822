import { IpcBus, processChannel } from '@presence/bus';
import { createSubjects } from '@presence/contracts';
import { systemClock, type TimerClock } from '@presence/core';
import { createEdge, type Edge, type EdgeConfig } from '@presence/edge';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger, Reload } from '@presence/runtime';
import type { TlsCertificate, WireObserver, WorkerSharing } from '@presence/sip';
import { createIpcStore, isStoreFrame } from '@presence/store';
import { DatagramRelay } from './datagram-relay.js';
import { isWorkerFrame, type WorkerFrame } from './worker-frames.js';

export interface EdgeWorkerOptions {
  readonly index: number;
  readonly count: number;
  /** The server's relay key (the primary's WORKER_RELAY_KEY_ENV), which frames between workers start with. */
  readonly relayKey: Buffer;
  /** WorkerSharing.ownUdpPort: the UDP port this worker sends its requests from (0: any free one); absent: the shared port. */
  readonly ownUdpPort?: number;
  /** The edge's configuration, its edgeId this worker's own (workerEdgeId). */
  readonly edge: EdgeConfig;
  readonly subjectPrefix?: string;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  readonly clock?: TimerClock;
  readonly onWire?: WireObserver;
  /** What a `reload` from the primary runs here (the certificate files, the log level file); absent: nothing. */
  readonly reload?: (edge: EdgeWorker) => Reload | undefined;
  /** A datagram for another worker passed on to it (true) or dropped (false: owner down, queue full, a frame without the key): counted. */
  readonly onRelay?: (relayed: boolean) => void;
}

export interface EdgeWorker {
  reloadCertificate(certificate: TlsCertificate): void;
  /** Resolves when the edge has drained and the link is released (after the primary's `stop`, or the primary gone). */
  readonly stopped: Promise<void>;
}

/**
 * One worker process of `standalone --workers N`: the edge alone, on an
 * IpcBus and an IpcStore whose real bus and store live in the primary, its
 * listeners shared with the other workers (node:cluster), UDP datagrams
 * sent to their owner. Stops when the primary says so, or when the
 * primary is gone.
 */
export async function startEdgeWorker(options: EdgeWorkerOptions): Promise<EdgeWorker> {
  const link = process;
  const { logger, metrics } = options;
  const send = (frame: WorkerFrame): void => {
    if (link.connected) link.send?.(frame);
  };
  const bus = new IpcBus(processChannel(link), { logger: logger.child({ component: 'bus' }) });
  const store = createIpcStore(processChannel(link, isStoreFrame));
  // Set once the edge exists: a relayed datagram arriving before it is dropped (its sender retransmits).
  let take: (listener: number, datagram: Buffer, address: string, port: number) => void = () => undefined;
  const relay = await DatagramRelay.open(options.relayKey, (listener, datagram, address, port) => take(listener, datagram, address, port), () => options.onRelay?.(false));
  let peers: readonly number[] = [];
  const sharing: WorkerSharing = {
    worker: options.index,
    workers: options.count,
    ...(options.ownUdpPort === undefined ? {} : { ownUdpPort: options.ownUdpPort }),
    relay(datagram, owner, listener, address, port) {
      const peer = peers[owner] ?? 0;
      options.onRelay?.(peer !== 0 && relay.send(peer, listener, datagram, address, port));
    },
  };
  let edge: Edge;
  try {
    edge = createEdge({ bus, store, clock: options.clock ?? systemClock, subjects: createSubjects(options.subjectPrefix), metrics, logger, config: options.edge, onWire: options.onWire, sharing });
  } catch (error) {
    await relay.close();
    throw error;
  }
  take = (listener, datagram, address, port) => void edge.takeDatagram(listener, datagram, address, port);

  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
        await edge.stop();
        await bus.close();
        await store.close();
        await relay.close();
      } catch (error) {
        logger.error({ err: error }, 'edge worker did not stop cleanly');
      } finally {
        stopListening();
        link.off('disconnect', onDisconnect);
        resolveStopped();
      }
    })());

  const worker: EdgeWorker = { reloadCertificate: (certificate) => edge.reloadCertificate(certificate), stopped };
  const reload = options.reload?.(worker);
  const onFrame = (frame: WorkerFrame): void => {
    switch (frame.worker) {
      case 'peers':
        peers = frame.relayPorts;
        return;
      case 'stop':
        void stop();
        return;
      case 'metrics':
        void metrics.snapshot().then((snapshot) => send({ worker: 'metrics-answer', id: frame.id, snapshot }));
        return;
      case 'reload':
        void (reload === undefined ? Promise.resolve({}) : reload()).then(
          (done) => {
            logger.info({ ...done }, 'reloaded (asked by the primary)');
            send({ worker: 'reloaded', id: frame.id });
          },
          (error: unknown) => send({ worker: 'reloaded', id: frame.id, problem: error instanceof Error ? error.message : String(error) }),
        );
        return;
      default:
        return;
    }
  };
  const stopListening = processChannel(link, isWorkerFrame).onFrame(onFrame);
  // The primary is gone (killed): nothing reaches this edge's bus or store any more; drain and let the process end.
  const onDisconnect = (): void => {
    logger.warn({}, 'primary process gone: stopping the edge worker');
    void stop();
  };
  link.on('disconnect', onDisconnect);

  try {
    const listeners = await edge.start();
    send({ worker: 'ready', listeners, relayPort: relay.port });
  } catch (error) {
    send({ worker: 'failed', reason: error instanceof Error ? error.message : String(error) });
    await stop();
    throw error;
  }
  return worker;
}
