/** Structured logger accepted by the stack (pino-compatible subset). */
export interface Logger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
