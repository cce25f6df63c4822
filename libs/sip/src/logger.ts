/** Structured logger accepted by the stack (pino-compatible subset). */
export interface Logger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  /** pino's; lets hot paths skip work whose only product is a discarded debug line. */
  isLevelEnabled?(level: 'debug'): boolean;
}
