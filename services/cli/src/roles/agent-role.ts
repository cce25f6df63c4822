import { createSubjects } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { createPresenceAgent } from '@presence/presence-agent';
import { buildInfo, handleHangup, type OptionValues } from '@presence/runtime';
import { processId } from '../edge-config-from-options.js';
import { openBackends } from './backends.js';
import { hostRole } from './host-role.js';
import { prefixes, roleLogger } from './role-context.js';

/** A presence agent: takes its share of partition leases and serves them over NATS, state in Redis. */
export async function runAgent(values: OptionValues): Promise<void> {
  const logger = roleLogger(values, 'agent');
  handleHangup(logger); // SIGHUP never ends an agent; it has nothing to reload
  const memberId = processId(values);
  const metrics = createPresenceMetrics({ build: buildInfo() });
  const backends = await openBackends(values, memberId, systemClock, logger, metrics);
  const leaseTtlMs = Math.round((values['lease-time'] as number) * 1000);
  const agent = createPresenceAgent({
    ...backends,
    clock: systemClock,
    subjects: createSubjects(prefixes(values).subjects),
    partitionCount: values.partitions as number,
    memberId,
    leaseTtlMs,
    leaseTickMs: Math.max(100, Math.floor(leaseTtlMs / 4)),
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
  await hostRole(values, logger, metrics, backends, component, 'presence agent serving');
}
