/**
 * Why a body was refused: `too-large` maps to 413, everything else to 400
 * (RFC 3903 §6: the ESC rejects a PUBLISH body it cannot process).
 */
export type PidfErrorKind = 'too-large' | 'limit' | 'malformed' | 'invalid';

/** A refused PIDF body; `reason` is short enough for a SIP reason phrase. */
export class PidfError extends Error {
  constructor(
    readonly kind: PidfErrorKind,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'PidfError';
  }
}
