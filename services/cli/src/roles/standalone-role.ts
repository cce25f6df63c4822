import { systemClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { buildInfo, handleHangup, processGuard, runUntilSignal, type OptionValues, type Reload } from '@presence/runtime';
import { startStandalone, type WorkerPool } from '@presence/standalone';
import { prepareAdmin } from '../admin/admin-mount.js';
import { warnIfUnauthenticated } from '../auth-config-from-options.js';
import { edgeConfigFromOptions } from '../edge-config-from-options.js';
import { withLogLevelReload } from '../log-level-file.js';
import { certificateReload, tlsFilesFromOptions } from '../tls-files.js';
import { openWireTracing } from '../trace/wire-tracing.js';
import { checkXcapExposure, xcapListenFromOptions } from '../xcap-config-from-options.js';
import { openBackends } from './backends.js';
import { defaultSubHandlingFromOptions } from './authorization-from-options.js';
import { publicationLimitsFromOptions } from './publication-limits-from-options.js';
import { httpAddress, prefixes, roleLogger } from './role-context.js';
import { xcapServerFromOptions } from './xcap-service-from-options.js';
import { isEdgeWorkerProcess, runEdgeWorker, workersFromOptions } from './standalone-workers.js';

/** Every role in one process: in-process bus and memory store unless --nats / --redis say otherwise. */
export async function runStandalone(values: OptionValues): Promise<void> {
  const workers = workersFromOptions(values);
  if (isEdgeWorkerProcess()) return runEdgeWorker(values);
  const logger = roleLogger(values, 'standalone');
  handleHangup(logger); // a SIGHUP while starting must not end the process
  const adminMount = await prepareAdmin(values);
  const edge = edgeConfigFromOptions(values);
  warnIfUnauthenticated(edge, logger);
  const xcapListen = xcapListenFromOptions(values);
  if (xcapListen) checkXcapExposure(xcapListen, values); // before anything is opened
  const tlsFiles = tlsFilesFromOptions(values, edge.listen, xcapListen?.secure === true);
  const metrics = createPresenceMetrics({ build: buildInfo() });
  const tracing = await openWireTracing(values, edge.edgeId, logger);
  const { bus, store } = await openBackends(values, edge.edgeId, systemClock, logger, metrics).catch(async (error: unknown) => {
    await tracing.close();
    throw error;
  });
  const admin = adminMount({ role: 'standalone', store, clock: systemClock, partitionCount: edge.partitionCount, logger, tracing: () => tracing.counters() });
  const xcap =
    xcapListen &&
    (await xcapServerFromOptions(values, xcapListen, store, systemClock, tlsFiles).catch(async (error: unknown) => {
      await Promise.allSettled([bus.close(), store.close(), tracing.close()]);
      throw error;
    }));
  const server = await startStandalone({ ...(xcap === undefined ? {} : { xcap }), edge, http: httpAddress(values), bus, store, subjectPrefix: prefixes(values).subjects, logger, metrics, admin, onWire: tracing.observer, publicationLimits: publicationLimitsFromOptions(values), defaultSubHandling: defaultSubHandlingFromOptions(values), ...(workers > 1 ? { workers: { count: workers } } : {}) });
  processGuard(logger, server.metrics).install();
  runUntilSignal(
    {
      async stop() {
        await server.stop();
        await tracing.close();
      },
    },
    logger,
    { reload: withLogLevelReload(values, logger, reloadWithWorkers(certificateReload(tlsFiles, server), server.workers)) },
  );
}

/** SIGHUP with edge workers: this process's own reload (the XCAP certificate), then each worker's (its certificate and log level). */
function reloadWithWorkers(own: Reload | undefined, workers: WorkerPool | undefined): Reload | undefined {
  if (workers === undefined) return own;
  return async () => {
    // Both parts run whatever the other does; the failures are reported together (the previous configuration stays where one failed).
    const [mine, theirs] = await Promise.allSettled([own === undefined ? Promise.resolve({}) : own(), workers.reload()]);
    const failures = [mine, theirs].flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)] : []));
    if (failures.length > 0) throw new Error(failures.join('; '));
    return { ...(mine.status === 'fulfilled' ? mine.value : {}), ...(theirs.status === 'fulfilled' ? theirs.value : {}) };
  };
}
