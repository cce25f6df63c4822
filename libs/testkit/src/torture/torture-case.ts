/**
 * The RFC 4475 torture cases as data: each message written for this project
 * from the RFC's description of it (not copied), with the transports it is
 * sent over and what a presence server (RFC 3261 UAS, REGISTER / PUBLISH /
 * SUBSCRIBE / OPTIONS served, other methods refused) must do with it.
 */

export type TortureTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
export const ALL_TRANSPORTS: readonly TortureTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];
/**
 * What the server does with a case:
 * - answered: one final response whose status is one of `status`;
 * - answeredEach: a final response per message the bytes hold (a stream
 *   carrying two), in any order (their transactions are independent), each
 *   matching a different one of `statuses`;
 * - dropped: no answer to bad data (e.g. a broken response, RFC 3261 §18.3);
 * - ignored: no answer to a well-formed response that matches no client
 *   transaction (RFC 3261 §18.1.2: a UAS forwards none);
 * - waits: no answer, the connection stays open waiting for the rest of the
 *   body (a stream, RFC 4475 §3.1.2.2);
 * - closed: the connection is closed (a stream that cannot be framed).
 */
export type TortureOutcome =
  | { readonly kind: 'answered'; readonly status: readonly number[] }
  | { readonly kind: 'answeredEach'; readonly statuses: readonly (readonly number[])[] }
  | { readonly kind: 'dropped' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'waits' }
  | { readonly kind: 'closed' };

export const answered = (...status: number[]): TortureOutcome => ({ kind: 'answered', status });
export const answeredEach = (...statuses: number[][]): TortureOutcome => ({ kind: 'answeredEach', statuses });
export const DROPPED: TortureOutcome = { kind: 'dropped' };
export const IGNORED: TortureOutcome = { kind: 'ignored' };
export const WAITS: TortureOutcome = { kind: 'waits' };
export const CLOSED: TortureOutcome = { kind: 'closed' };

/** Where and how a case is sent: its top Via is built from this, so the answer finds the sender. */
export interface TortureWire {
  /** Via transport token: UDP, TCP, TLS, WS or WSS. */
  readonly via: string;
  /** Via sent-by: 127.0.0.1:PORT of the UDP peer, client.invalid on connections (answered over them). */
  readonly sentBy: string;
  /** Unique per case and transport: branches and Call-IDs of one run never collide. */
  readonly id: string;
  /** The domain the server serves (its --domain). */
  readonly domain: string;
}

export interface TortureCase {
  /** The RFC's short name of the message (e.g. wsinv). */
  readonly name: string;
  /** RFC 4475 section. */
  readonly section: string;
  readonly title: string;
  /** True for the messages RFC 4475 calls well formed. */
  readonly valid: boolean;
  readonly transports: readonly TortureTransport[];
  /** Outcome per transport; `default` for the others. */
  readonly expect: { readonly default: TortureOutcome } & Partial<Record<TortureTransport, TortureOutcome>>;
  /** Why this outcome, with the RFC sections that say so. */
  readonly why: string;
  message(wire: TortureWire): Buffer;
}

export function outcomeOf(test: TortureCase, transport: TortureTransport): TortureOutcome {
  return test.expect[transport] ?? test.expect.default;
}

/** The usual top Via: rport (RFC 3581) so a UDP answer comes back to the port sent from. */
export function topVia(wire: TortureWire, branchSuffix = ''): string {
  return `SIP/2.0/${wire.via} ${wire.sentBy};rport;branch=z9hG4bK${wire.id}${branchSuffix}`;
}

const AUTO_LENGTH = /^((?:content-length|l)\s*:\s*)\*$/i;

/**
 * A message from its lines (CRLF added) and body. A Content-Length line
 * whose value is `*` (any spelling: `l :  *`) gets the body's byte length;
 * any other Content-Length is sent as written.
 */
export function sipMessage(lines: readonly string[], body: string | Buffer = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = lines.map((line) => line.replace(AUTO_LENGTH, `$1${bytes.length}`)).join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'utf8'), bytes]);
}
