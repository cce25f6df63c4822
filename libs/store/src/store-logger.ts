/** What the store adapters log through (a subset of the runtime logger, so pino fits). */
export interface StoreLogger {
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

/** Drops everything: the default when no logger is given. */
export const silentStoreLogger: StoreLogger = {
  warn: () => undefined,
  error: () => undefined,
};
