import type { PresenceMetrics } from '@presence/metrics';
import { startOpsServer, type AdminMount, type OpsServer, type OptionValues, type ProcessAbout } from '@presence/runtime';
import { httpAddress } from './role-context.js';

/** What a role's HTTP listener serves besides /metrics: who it is, its readiness, and its admin API. */
export interface OpsEndpoint {
  readonly about: ProcessAbout;
  /** Dependencies answering (the store), beyond not stopping. */
  ready(): Promise<boolean>;
  readonly admin: AdminMount;
}

/** /metrics, /healthz, /readyz and /admin/v1/ for a role, unless --http off. `stopping()` flips liveness during drain. */
export async function serveOps(values: OptionValues, metrics: PresenceMetrics, endpoint: OpsEndpoint, stopping: () => boolean): Promise<OpsServer | undefined> {
  const address = httpAddress(values);
  if (!address) return undefined;
  return startOpsServer({
    ...address,
    metrics,
    about: endpoint.about,
    admin: endpoint.admin,
    health: { live: () => !stopping(), ready: async () => !stopping() && (await endpoint.ready()) },
  });
}
