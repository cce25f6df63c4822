import { ErrorCode, NatsError } from 'nats';

/** The nats.js error code of `error`, or undefined when it is not a nats.js error. */
export function natsErrorCode(error: unknown): string | undefined {
  if (error instanceof NatsError) return error.code;
  // Two copies of nats.js (or a realm boundary) defeat instanceof: fall back on the shape.
  if (error instanceof Error && error.name === 'NatsError') {
    const code: unknown = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Codes nats.js uses when the connection is closed or closing. */
export function isClosedCode(code: string | undefined): boolean {
  return code === ErrorCode.ConnectionClosed || code === ErrorCode.ConnectionDraining;
}

/** A short description for a BusTransportError, without the nats.js stack. */
export function describeNatsError(error: unknown): string {
  const code = natsErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}
