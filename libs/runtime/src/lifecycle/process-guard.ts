import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '../log/logger.js';

export interface ProcessGuard {
  onUnhandledRejection(reason: unknown): void;
  onUncaughtException(error: Error, origin: string): void;
  /** Installs both handlers on `process`; returns a function that removes them. */
  install(): () => void;
}

/**
 * The last line of defence of a serving process: an unhandled rejection or
 * an uncaught exception is logged at error level with its context and
 * counted in `presence_internal_errors_total{source=...}`, and the process
 * carries on instead of exiting (Node's default). A bug then costs the
 * request, NOTIFY or timer it happened in, not every subscription the
 * process holds. Code still handles its own failures where they happen; a
 * count above zero here is a bug to fix. Installed by every CLI role once
 * it serves: a failure to start still ends the process.
 */
export function processGuard(logger: Logger, metrics: PresenceMetrics): ProcessGuard {
  const report = (source: string, error: unknown, message: string): void => {
    try {
      metrics.internalErrors.inc({ source });
      logger.error({ err: error }, message);
    } catch {
      // Reporting must never throw from inside a process-level handler.
    }
  };
  const guard: ProcessGuard = {
    onUnhandledRejection: (reason) => report('unhandled_rejection', reason, 'unhandled promise rejection: the process carries on'),
    onUncaughtException: (error, origin) => report('uncaught_exception', error, `uncaught exception (${origin}): the process carries on`),
    install() {
      process.on('unhandledRejection', guard.onUnhandledRejection);
      process.on('uncaughtException', guard.onUncaughtException);
      return () => {
        process.off('unhandledRejection', guard.onUnhandledRejection);
        process.off('uncaughtException', guard.onUncaughtException);
      };
    },
  };
  return guard;
}
