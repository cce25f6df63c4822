import { pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The logging surface the rest of the code sees (a subset of pino's). */
export interface Logger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
  child(bindings: Record<string, string>): Logger;
  /** Lets a hot path skip building a line nobody will see (pino's). */
  isLevelEnabled(level: LogLevel): boolean;
}

/** The process's logger: its level can change at run time, and every child follows. */
export interface RootLogger extends Logger {
  readonly level: LogLevel;
  setLevel(level: LogLevel): void;
}

export function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

/**
 * JSON lines on stderr, so stdout stays free for command output. Every line
 * carries the process id and, given one, the role (pino base fields), so lines
 * of several processes mixed in one collector can be told apart.
 */
export function createLogger(options: { level?: LogLevel; name?: string; role?: string } = {}): RootLogger {
  const base = options.role === undefined ? { pid: process.pid } : { pid: process.pid, role: options.role };
  const root = pino({ level: options.level ?? 'info', name: options.name, base }, pino.destination(2));
  // A pino child made without options is an Object.create of its parent and keeps no
  // level of its own, so a level set here reaches every child, made before or after.
  return Object.assign(root, {
    setLevel(level: LogLevel) {
      root.level = level;
    },
  }) as unknown as RootLogger;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  isLevelEnabled: () => false,
};
