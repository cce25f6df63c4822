import { createHash } from 'node:crypto';
import type { HeaderMap } from '../wire/header-names.js';
import { parseNameAddr } from '../wire/name-addr.js';
import type { TransportName } from '../transport/transport-types.js';

/**
 * A new request as the screen sees it: before a server transaction exists,
 * before the request is validated or queued, so turning it away costs
 * neither memory nor work. Retransmissions of a request already taken never
 * come here (the transaction absorbed them), nor do ACKs and responses.
 */
export interface ScreenedRequest {
  readonly method: string;
  readonly transport: TransportName;
  readonly remoteAddress: string;
  /** Requests read and not yet settled: waiting for admission plus running in the application. */
  readonly pending: number;
  /** The To header carries a tag (RFC 3261 §12.2: a request inside a dialog). Parsed on first call; false when To is unreadable. */
  inDialog(): boolean;
  /** Whether the request carries this header (lower-case name), e.g. sip-if-match. */
  has(header: string): boolean;
}

/**
 * What the screen decides: undefined lets the request in; `drop` discards it
 * unanswered; `refuse` answers 503 with Retry-After statelessly (RFC 3261
 * §8.2.7: no transaction is kept, so a flood of refused requests holds no
 * memory; a retransmission is screened again).
 */
export type ScreenVerdict = undefined | 'drop' | { readonly retryAfterS: number; readonly reason: string };

export type RequestScreen = (request: ScreenedRequest) => ScreenVerdict;

export class ScreenedRequestView implements ScreenedRequest {
  private toTagged: boolean | undefined;

  constructor(
    readonly method: string,
    readonly transport: TransportName,
    readonly remoteAddress: string,
    readonly pending: number,
    private readonly fields: HeaderMap,
  ) {}

  inDialog(): boolean {
    this.toTagged ??= toHasTag(this.fields) === true;
    return this.toTagged;
  }

  has(header: string): boolean {
    return this.fields.has(header);
  }
}

/** Whether To has a tag; undefined when To is absent, repeated or unreadable. */
export function toHasTag(fields: HeaderMap): boolean | undefined {
  const to = fields.get('to');
  if (to === undefined || to.length !== 1) return undefined;
  try {
    return parseNameAddr(to[0] as string).params.tag !== undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 3261 §8.2.7: a stateless UAS gives the same To tag to every
 * retransmission of a request; derived from the transaction key it is.
 */
export function statelessTag(transactionKey: string): string {
  return createHash('sha1').update(transactionKey).digest('hex').slice(0, 16);
}
