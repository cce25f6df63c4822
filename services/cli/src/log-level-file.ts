import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isLogLevel, LOG_LEVELS, UsageError, type LogLevel, type OptionValues, type Reload, type RootLogger } from '@presence/runtime';

const OPTION = '--log-level-file';

/**
 * The level `--log-level-file` holds: one word, whitespace around it ignored.
 * A file rather than a signal payload because that is what `systemctl
 * reload` and a Kubernetes ConfigMap can change under a running process.
 */
export function levelFromFile(path: string, text: string): LogLevel {
  const level = text.trim();
  if (isLogLevel(level)) return level;
  const shown = level.length > 40 ? `${level.slice(0, 40)}...` : level;
  throw new Error(`${OPTION} ${path}: expected one of ${LOG_LEVELS.join(', ')}, got "${shown}"`);
}

/** The level to start with: the file's when `--log-level-file` is given (a usage error naming it if unreadable), else `--log-level`. */
export function startupLogLevel(values: OptionValues): string {
  const path = values['log-level-file'] as string | undefined;
  if (path === undefined) return values['log-level'] as string;
  try {
    return levelFromFile(path, readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(reason.startsWith(OPTION) ? reason : `${OPTION} ${path}: ${reason}`);
  }
}

/**
 * What SIGHUP runs: re-reads `--log-level-file` (when given) and sets the
 * level, then the role's own reload (certificates). Each part runs even if
 * the other fails; a failed part keeps what it would have replaced, and the
 * failures are reported together.
 */
export function withLogLevelReload(values: OptionValues, logger: RootLogger, reload: Reload | undefined): Reload | undefined {
  const path = values['log-level-file'] as string | undefined;
  if (path === undefined) return reload;
  return async () => {
    const [level, rest] = await Promise.allSettled([
      readFile(path, 'utf8').then((text) => levelFromFile(path, text)),
      reload === undefined ? Promise.resolve({}) : reload(),
    ]);
    if (level.status === 'fulfilled') logger.setLevel(level.value);
    const failures = [level, rest].flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)] : []));
    if (failures.length > 0) throw new Error(failures.join('; '));
    return { logLevel: logger.level, ...(rest.status === 'fulfilled' ? rest.value : {}) };
  };
}
