import { createSubjects } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { createEdge } from '@presence/edge';
import { createPresenceMetrics } from '@presence/metrics';
import { buildInfo, handleHangup, type OptionValues } from '@presence/runtime';
import { prepareAdmin } from '../admin/admin-mount.js';
import { warnIfUnauthenticated } from '../auth-config-from-options.js';
import { edgeConfigFromOptions } from '../edge-config-from-options.js';
import { certificateReload, tlsFilesFromOptions } from '../tls-files.js';
import { openWireTracing } from '../trace/wire-tracing.js';
import { openBackends } from './backends.js';
import { hostRole } from './host-role.js';
import { prefixes, roleLogger } from './role-context.js';

/** A stateless SIP edge: SIP in, requests to partition owners over NATS, NOTIFYs out; bindings and dialog mirrors in Redis. */
export async function runEdge(values: OptionValues): Promise<void> {
  const logger = roleLogger(values, 'edge');
  handleHangup(logger); // a SIGHUP while starting must not end the process
  const adminMount = await prepareAdmin(values);
  const config = edgeConfigFromOptions(values);
  warnIfUnauthenticated(config, logger);
  const metrics = createPresenceMetrics({ build: buildInfo() });
  const tracing = await openWireTracing(values, config.edgeId, logger);
  const backends = await openBackends(values, config.edgeId, systemClock, logger, metrics).catch(async (error: unknown) => {
    await tracing.close();
    throw error;
  });
  const edge = createEdge({ ...backends, clock: systemClock, subjects: createSubjects(prefixes(values).subjects), metrics, logger, config, onWire: tracing.observer });
  const component = {
    start: async () => ({ id: config.edgeId, sip: await edge.start() }),
    stop: async () => {
      await edge.stop();
      await tracing.close();
    },
    reload: certificateReload(tlsFilesFromOptions(values, config.listen), edge),
  };
  const admin = adminMount({ role: 'edge', store: backends.store, clock: systemClock, partitionCount: config.partitionCount, logger, tracing: () => tracing.counters() });
  const endpoint = { about: { role: 'edge', id: config.edgeId }, admin, ready: () => backends.store.ping() };
  await hostRole(values, logger, metrics, backends, component, endpoint, 'edge listening');
}
