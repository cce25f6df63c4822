/** A registrar location binding (RFC 3261 §10.3). */
export interface Binding {
  /** Contact URI exactly as registered (compared by URI equivalence via `contactKey`). */
  readonly contact: string;
  /** Normalized comparison key of the contact URI. */
  readonly contactKey: string;
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** q-value 0..1 if given. */
  readonly q?: number;
  /** Edge that received the REGISTER and the transport flow it came on, for routing back. */
  readonly edgeId: string;
  readonly flow?: string;
}
