import type { Logger } from '../log/logger.js';
import { handleHangup, type Reload } from './hangup.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops the service on SIGTERM/SIGINT (drain, release, close) and exits 0;
 * exits 1 if stopping takes longer than the grace period or fails. A second
 * signal exits at once. SIGHUP runs `reload` (hangup.ts) and never exits.
 */
export function runUntilSignal(service: Stoppable, logger: Logger, options: { graceMs?: number; reload?: Reload } = {}): void {
  handleHangup(logger).reloadWith(options.reload);
  const graceMs = options.graceMs ?? 10_000;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error({ graceMs }, 'stop did not finish in time: exiting');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    service.stop().then(
      () => {
        clearTimeout(deadline);
        logger.info({}, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
