import { createLogger, isLogLevel, LOG_LEVELS, parseHostPort, UsageError, type OptionValues, type RootLogger } from '@presence/runtime';
import { startupLogLevel } from '../log-level-file.js';

/** The process's logger: every line carries pid and role; `presence ctl log-level` and SIGHUP with `--log-level-file` change its level at run time. */
export function roleLogger(values: OptionValues, role: string): RootLogger {
  const level = startupLogLevel(values);
  if (!isLogLevel(level)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return createLogger({ level, name: `presence-${role}`, role });
}

export function httpAddress(values: OptionValues): { host: string; port: number } | undefined {
  return values.http === 'off' ? undefined : parseHostPort('http', values.http as string);
}

/** `--prefix NAME` → "NAME." for subjects, "NAME:" for keys; empty stays empty. */
export function prefixes(values: OptionValues): { subjects: string; keys: string } {
  const name = (values.prefix as string | undefined) ?? '';
  if (name !== '' && !/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`--prefix: letters, digits, - and _ only, got "${name}"`);
  return name === '' ? { subjects: '', keys: '' } : { subjects: `${name}.`, keys: `${name}:` };
}
