/** What the bus adapters log through (a subset of the runtime logger, so pino fits). */
export interface BusLogger {
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

/** Drops everything: the default when no logger is given. */
export const silentBusLogger: BusLogger = {
  warn: () => undefined,
  error: () => undefined,
};
