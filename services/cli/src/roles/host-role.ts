import type { PresenceMetrics } from '@presence/metrics';
import { processGuard, runUntilSignal, type OptionValues, type Reload, type RootLogger } from '@presence/runtime';
import { withLogLevelReload } from '../log-level-file.js';
import type { Backends } from './backends.js';
import { serveOps, type OpsEndpoint } from './ops-endpoint.js';

export interface RoleComponent {
  /** Starts serving; returns fields for the "started" log line. */
  start(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
  /** What SIGHUP reloads (the edge's TLS certificate); absent: nothing. */
  readonly reload?: Reload;
}

/**
 * Runs one role until SIGTERM (SIGHUP reloads, see handleHangup, which the
 * role installs first thing): starts the component, serves /metrics and the
 * probes, and on the signal stops the component first, then the backends,
 * then HTTP. A failed start undoes what was opened; once serving, the
 * process guard keeps a bug from stopping the process.
 */
export async function hostRole(
  values: OptionValues,
  logger: RootLogger,
  metrics: PresenceMetrics,
  backends: Backends,
  component: RoleComponent,
  endpoint: OpsEndpoint,
  message: string,
): Promise<void> {
  let stopping = false;
  try {
    const details = await component.start();
    const http = await serveOps(values, metrics, endpoint, () => stopping);
    processGuard(logger, metrics).install();
    logger.info({ ...details, http: http && `${http.host}:${http.port}` }, message);
    runUntilSignal(
      {
        async stop() {
          stopping = true;
          await component.stop();
          await backends.close();
          await http?.close();
        },
      },
      logger,
      { reload: withLogLevelReload(values, logger, component.reload) },
    );
  } catch (error) {
    await component.stop().catch(() => undefined);
    await backends.close();
    throw error;
  }
}
