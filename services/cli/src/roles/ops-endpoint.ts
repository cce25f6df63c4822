import type { PresenceMetrics } from '@presence/metrics';
import { startOpsServer, type OpsServer, type OptionValues } from '@presence/runtime';
import { httpAddress } from './role-context.js';

/** /metrics, /healthz, /readyz for a role, unless --http off. `stopping()` flips liveness during drain. */
export async function serveOps(values: OptionValues, metrics: PresenceMetrics, ready: () => Promise<boolean>, stopping: () => boolean): Promise<OpsServer | undefined> {
  const address = httpAddress(values);
  if (!address) return undefined;
  return startOpsServer({ ...address, metrics, health: { live: () => !stopping(), ready: async () => !stopping() && (await ready()) } });
}
