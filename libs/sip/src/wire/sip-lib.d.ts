// Types for the parts of the untyped CommonJS `sip` package (kirm/sip.js 0.0.6)
// that we use. Only files under libs/sip/src/wire/ may import 'sip'.
declare module 'sip' {
  /** Parser cursor used by the library's header grammar functions. */
  export interface SipLibCursor {
    s: string;
    i: number;
  }
  /** Result of the library's name-addr / addr-spec grammar. */
  export interface SipLibAor {
    /** Display name as written, quotes included; undefined when absent. */
    name: string | undefined;
    uri: string;
    /** Header parameters with lower-cased names; valueless parameters are null. */
    params: Record<string, string | null>;
  }
  /** Parses one name-addr or addr-spec at cursor.i; throws a TypeError on garbage. */
  export function parseAOR(cursor: SipLibCursor): SipLibAor;
}
