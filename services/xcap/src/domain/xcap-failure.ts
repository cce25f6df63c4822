/**
 * A request the XCAP server refuses: the HTTP status, its reason phrase
 * naming the problem, and for 409 the RFC 4825 §11 error element (rendered
 * by renderXcapError). Thrown by the pure parsers and the document
 * operations, turned into the response by the HTTP layer.
 */
export class XcapFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly conflict?: XcapConflict,
    readonly headers: Readonly<Record<string, string | readonly string[]>> = {},
  ) {
    super(`${status} ${reason}`);
    this.name = 'XcapFailure';
  }
}

/** RFC 4825 §11.2: the error conditions a 409 reports, each one element of the xcap-error document. */
export type XcapConflictKind =
  | 'not-well-formed'
  | 'not-xml-frag'
  | 'not-xml-att-value'
  | 'no-parent'
  | 'schema-validation-error'
  | 'uniqueness-failure'
  | 'cannot-insert'
  | 'cannot-delete'
  | 'not-utf-8'
  | 'constraint-failure';

export interface XcapConflict {
  readonly kind: XcapConflictKind;
  /** The `phrase` attribute: a human-readable account of the problem. */
  readonly phrase?: string;
  /** <no-parent>: the URI of the closest ancestor that exists (RFC 4825 §11.2 <ancestor>). */
  readonly ancestor?: string;
  /** <uniqueness-failure>: the fields that must be unique, with alternatives when known (RFC 4825 §11.2 <exists>). */
  readonly exists?: ReadonlyArray<{ readonly field: string; readonly altValues?: readonly string[] }>;
}

/** 409 with an xcap-error body. */
export function conflict(kind: XcapConflictKind, phrase?: string, extra: Omit<XcapConflict, 'kind' | 'phrase'> = {}): XcapFailure {
  return new XcapFailure(409, `Conflict: ${phrase ?? kind}`, { kind, ...(phrase === undefined ? {} : { phrase }), ...extra });
}
