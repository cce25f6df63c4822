import { pino } from 'pino';

/** The logging surface the rest of the code sees (a subset of pino's). */
export interface Logger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
  child(bindings: Record<string, string>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** JSON lines on stderr, so stdout stays free for command output. */
export function createLogger(options: { level?: LogLevel; name?: string } = {}): Logger {
  return pino({ level: options.level ?? 'info', name: options.name, base: undefined }, pino.destination(2));
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
