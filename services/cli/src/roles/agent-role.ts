import { createSubjects } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { createPresenceAgent } from '@presence/presence-agent';
import { buildInfo, handleHangup, type OptionValues } from '@presence/runtime';
import { prepareAdmin } from '../admin/admin-mount.js';
import { processId } from '../edge-config-from-options.js';
import { openBackends } from './backends.js';
import { hostRole } from './host-role.js';
import { defaultSubHandlingFromOptions } from './authorization-from-options.js';
import { publicationLimitsFromOptions } from './publication-limits-from-options.js';
import { prefixes, roleLogger } from './role-context.js';

/** A presence agent: takes its share of partition leases and serves them over NATS, state in Redis. */
export async function runAgent(values: OptionValues): Promise<void> {
  const logger = roleLogger(values, 'agent');
  handleHangup(logger); // SIGHUP never ends an agent; it has nothing to reload
  const adminMount = await prepareAdmin(values);
  const memberId = processId(values);
  const metrics = createPresenceMetrics({ build: buildInfo() });
  const backends = await openBackends(values, memberId, systemClock, logger, metrics);
  const leaseTtlMs = Math.round((values['lease-time'] as number) * 1000);
  const partitionCount = values.partitions as number;
  const agent = createPresenceAgent({
    ...backends,
    clock: systemClock,
    subjects: createSubjects(prefixes(values).subjects),
    partitionCount,
    memberId,
    leaseTtlMs,
    leaseTickMs: Math.max(100, Math.floor(leaseTtlMs / 4)),
    requestDeadlineMarginMs: values['deadline-margin'] as number,
    publicationLimits: publicationLimitsFromOptions(values),
    defaultSubHandling: defaultSubHandlingFromOptions(values),
    metrics,
    logger,
  });
  const component = {
    start: async () => {
      await agent.start();
      return { id: memberId, partitions: agent.ownedPartitions().length };
    },
    stop: () => agent.stop(),
  };
  const admin = adminMount({ role: 'agent', store: backends.store, clock: systemClock, partitionCount, logger, drain: () => agent.drain() });
  // A drained agent stays up and alive but reports not ready: it serves nothing until restarted.
  const endpoint = { about: { role: 'agent', id: memberId }, admin, ready: async () => !agent.draining && (await backends.store.ping()) };
  await hostRole(values, logger, metrics, backends, component, endpoint, 'presence agent serving');
}
