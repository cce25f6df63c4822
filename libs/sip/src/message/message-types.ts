import type { NameAddr } from '../wire/name-addr.js';
import type { HeaderFields } from '../wire/serialize.js';
import type { Flow } from '../transport/transport-types.js';

/** Common read-only view of requests and responses. */
export interface SipMessageView {
  /**
   * Case-insensitive; compact forms understood (RFC 3261 §7.3.3, o = Event,
   * u = Allow-Events). Multiple occurrences are joined with ", ".
   */
  header(name: string): string | undefined;
  /** All values; comma lists split (not inside quotes or <>). */
  headerValues(name: string): string[];
  /**
   * One value per header line, never split or joined: for the headers whose
   * values hold commas without being lists (Authorization, WWW-Authenticate;
   * RFC 3261 §7.3.1), each line is one set of credentials or one challenge.
   */
  headerLines(name: string): readonly string[];
  readonly callId: string;
  readonly cseq: { readonly seq: number; readonly method: string };
  readonly from: NameAddr;
  readonly to: NameAddr;
  /** The body's bytes as received (RFC 3261 §7.4: Content-Length counts these). */
  readonly bodyBytes: Buffer;
  /** The body decoded as UTF-8 (U+FFFD for bytes that are not), for text bodies. */
  readonly body: string;
  /** Media type lower-cased without parameters. */
  readonly contentType: string | undefined;
}

export interface SipRequest extends SipMessageView {
  readonly method: string;
  readonly uri: string;
  readonly flow: Flow;
  /** '*' for `Contact: *`, [] if none. A request with a malformed Contact never reaches the application (400 Malformed Contact). */
  readonly contacts: NameAddr[] | '*';
  /** Record-Route entries in order, each the full value (e.g. `<sip:p1.example.com;lr>`). */
  readonly recordRoute: string[];
  /** Expires header: undefined if absent, NaN if not a non-negative integer. */
  readonly expires: number | undefined;
  /** Max-Forwards header: undefined if absent, NaN if not a non-negative integer. */
  readonly maxForwards: number | undefined;
}

export interface SipResponse extends SipMessageView {
  readonly status: number;
  readonly reason: string;
}

export interface ResponseOptions {
  headers?: HeaderFields;
  /** A string is sent UTF-8 encoded, bytes as they are. */
  body?: string | Uint8Array;
  /** Added to To if the request's To has no tag (else a random tag is added to responses above 100). */
  toTag?: string;
}

export interface IncomingRequest extends SipRequest {
  /** Answers through the server transaction; responses after the final one are ignored. */
  respond(status: number, reason?: string, options?: ResponseOptions): void;
  /** True once a final (>= 200) response was sent or the transaction ended. */
  readonly answered: boolean;
  /** Status of the final response sent; undefined before (for a request log line). */
  readonly finalStatus: number | undefined;
}

export interface OutgoingRequest {
  method: string;
  uri: string;
  /**
   * From, To, Call-ID, CSeq, Contact, Route, Event, ... The stack adds Via,
   * Max-Forwards (70, if absent) and Content-Length; Via/Content-Length given here are ignored.
   */
  headers: HeaderFields;
  /**
   * A string is sent UTF-8 encoded. Bytes are sent as they are: a sender of
   * the same body to many recipients (one NOTIFY per watcher) encodes it once.
   */
  body?: string | Uint8Array;
  /**
   * Token characters put in the Via branch after the magic cookie, before
   * random bits (RFC 3261 §16.6 step 8): the request, if it comes back,
   * shows it was ours. Absent: a random branch.
   */
  branchKey?: string;
}
