import { createSubjects } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { buildInfo, handleHangup, UsageError, type OptionValues } from '@presence/runtime';
import { prepareAdmin } from '../admin/admin-mount.js';
import { processId } from '../edge-config-from-options.js';
import { certificateReload, tlsFilesFromOptions } from '../tls-files.js';
import { xcapListenFromOptions } from '../xcap-config-from-options.js';
import { openBackends } from './backends.js';
import { hostRole } from './host-role.js';
import { prefixes, roleLogger } from './role-context.js';
import { warnIfXcapOpen, xcapServerFromOptions } from './xcap-service-from-options.js';

/** The XCAP server of a cluster (RFC 4825): documents in Redis without expiry, every change announced on NATS. */
export async function runXcap(values: OptionValues): Promise<void> {
  const logger = roleLogger(values, 'xcap');
  handleHangup(logger);
  const listen = xcapListenFromOptions(values);
  if (listen === undefined) throw new UsageError('--xcap-listen HOST:PORT is required by the xcap role');
  const tlsFiles = tlsFilesFromOptions(values, [], listen.secure);
  const adminMount = await prepareAdmin(values);
  const id = processId(values);
  warnIfXcapOpen(values, logger);
  const metrics = createPresenceMetrics({ build: buildInfo() });
  const backends = await openBackends(values, id, systemClock, logger, metrics);
  let server;
  try {
    const options = await xcapServerFromOptions(values, listen, backends.store, systemClock, tlsFiles);
    const { createXcapServer } = await import('@presence/xcap');
    server = await createXcapServer({ ...options, store: backends.store, bus: backends.bus, subjects: createSubjects(prefixes(values).subjects), clock: systemClock, logger: logger.child({ component: 'xcap' }), registry: metrics.registry });
  } catch (error) {
    await backends.close();
    throw error;
  }
  const xcap = server;
  const component = {
    start: async () => ({ id, xcap: await xcap.start() }),
    stop: () => xcap.stop(),
    reload: certificateReload(tlsFiles, xcap),
  };
  const admin = adminMount({ role: 'xcap', store: backends.store, clock: systemClock, partitionCount: values.partitions as number, logger });
  const endpoint = { about: { role: 'xcap', id }, admin, ready: () => backends.store.ping() };
  await hostRole(values, logger, metrics, backends, component, endpoint, 'xcap server listening');
}
