/**
 * Why an XML body was refused: `too-large` maps to 413, everything else to
 * 400 (RFC 3903 §6: the ESC rejects a PUBLISH body it cannot process).
 */
export type PidfErrorKind = 'too-large' | 'limit' | 'malformed' | 'invalid';

/**
 * A refused XML document of any kind read by parseXmlTree; `reason` is
 * short enough for a SIP or HTTP reason phrase. Each document kind has its
 * own subclass (PidfError here, PolicyError in libs/policy).
 */
export class XmlDocumentError extends Error {
  constructor(
    readonly kind: PidfErrorKind,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'XmlDocumentError';
  }
}

/** A refused PIDF body. */
export class PidfError extends XmlDocumentError {
  constructor(kind: PidfErrorKind, reason: string, options?: { cause?: unknown }) {
    super(kind, reason, options);
    this.name = 'PidfError';
  }
}
