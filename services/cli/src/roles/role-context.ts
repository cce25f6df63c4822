import { createLogger, parseHostPort, UsageError, type Logger, type LogLevel, type OptionValues } from '@presence/runtime';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function roleLogger(values: OptionValues, role: string): Logger {
  const level = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return createLogger({ level, name: `presence-${role}` });
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
