/**
 * Edge -> edge: send this MESSAGE to a UA on a flow the receiving edge
 * holds (a TCP, TLS, WS or WSS connection lives on one edge only), and
 * answer with the UA's final response.
 */
export interface DeliverRequest {
  readonly v: 1;
  readonly type: 'deliver';
  /** The flow token as the binding recorded it. */
  readonly flow: string;
  /** Request-URI: the registered contact. */
  readonly uri: string;
  /** Header fields of the MESSAGE, canonical names (From, To, Call-ID, CSeq, Date, Content-Type, ...). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The body's bytes, unchanged. On the wire (still v1): `body` is the text
   * when the bytes are valid UTF-8, as before; otherwise base64 with
   * `bodyEncoding: "base64"` (core's BodyField).
   */
  readonly body: Uint8Array;
  /** Via branch key of the forwarding edge (loop detection, RFC 3261 §16.6 step 8). */
  readonly branchKey?: string;
}

/** The UA's final response, or the receiving edge's own (503 when the flow is gone). */
export interface DeliverReply {
  readonly v: 1;
  readonly type: 'delivered';
  readonly status: number;
  readonly reason: string;
}
