import type { Logger } from '../log/logger.js';

/** Re-reads what can change at run time; resolves with fields for the "reloaded" log line. */
export type Reload = () => Promise<Record<string, unknown>>;

export interface Hangup {
  /** From now on a SIGHUP runs `reload`; undefined: a SIGHUP only logs that nothing reloads. */
  reloadWith(reload: Reload | undefined): void;
}

let installed: { hangup: Hangup; logger: { current: Logger } } | undefined;

/**
 * Takes SIGHUP over for the life of the process, so it never ends it (Node's
 * default for SIGHUP is to exit at once): call it as soon as a role has its
 * logger, before the slow part of starting. A SIGHUP runs the reload in
 * place and logs "reloaded" with what it reports, or an error when it fails
 * (what it would have replaced stays). One reload at a time: SIGHUPs during
 * one make one more run after it. What a role reloads is its own (the
 * edge's certificates; the log level with --log-level-file, services/cli).
 * Later calls return the same
 * handler and log through the latest logger.
 */
export function handleHangup(logger: Logger): Hangup {
  if (installed !== undefined) {
    installed.logger.current = logger;
    return installed.hangup;
  }
  const log = { current: logger };
  let reload: Reload | undefined;
  let running = false;
  let again = false;
  const runOnce = async (): Promise<void> => {
    if (reload === undefined) {
      log.current.info({ signal: 'SIGHUP' }, 'SIGHUP: nothing to reload');
      return;
    }
    try {
      log.current.info({ signal: 'SIGHUP', ...(await reload()) }, 'reloaded');
    } catch (error) {
      log.current.error({ err: error, signal: 'SIGHUP' }, 'reload failed: the previous configuration stays');
    }
  };
  const run = async (): Promise<void> => {
    running = true;
    try {
      do {
        again = false;
        await runOnce();
      } while (again);
    } finally {
      running = false;
    }
  };
  process.on('SIGHUP', () => {
    if (running) again = true;
    else void run();
  });
  const hangup: Hangup = {
    reloadWith(next) {
      reload = next;
    },
  };
  installed = { hangup, logger: log };
  return hangup;
}
