import { canonicalHeaderName, type HeaderMap } from '../wire/header-names.js';
import type { NameAddr } from '../wire/name-addr.js';
import { splitHeaderList } from '../wire/split-list.js';
import type { SipMessageView } from './message-types.js';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** The headers every request and response must carry (RFC 3261 §8.1.1), already validated. */
export interface CoreHeaders {
  readonly callId: string;
  readonly cseq: CSeq;
  readonly from: NameAddr;
  readonly to: NameAddr;
}

const NO_LINES: readonly string[] = Object.freeze([]);

export class MessageView implements SipMessageView {
  readonly callId: string;
  readonly cseq: CSeq;
  readonly from: NameAddr;
  readonly to: NameAddr;
  private text: string | undefined;

  constructor(
    protected readonly fields: HeaderMap,
    readonly bodyBytes: Buffer,
    core: CoreHeaders,
  ) {
    this.callId = core.callId;
    this.cseq = core.cseq;
    this.from = core.from;
    this.to = core.to;
  }

  /** Decoded once, when first asked: a request that only forwards its body never pays for it. */
  get body(): string {
    this.text ??= this.bodyBytes.length === 0 ? '' : this.bodyBytes.toString('utf8');
    return this.text;
  }

  header(name: string): string | undefined {
    const values = this.fields.get(canonicalHeaderName(name));
    if (values === undefined) return undefined;
    return values.length === 1 ? values[0] : values.join(', ');
  }

  headerValues(name: string): string[] {
    const values = this.fields.get(canonicalHeaderName(name));
    const out: string[] = [];
    if (values !== undefined) for (const v of values) splitHeaderList(v, out);
    return out;
  }

  headerLines(name: string): readonly string[] {
    return this.fields.get(canonicalHeaderName(name)) ?? NO_LINES;
  }

  get contentType(): string | undefined {
    const value = this.fields.get('content-type')?.[0];
    if (value === undefined) return undefined;
    const semi = value.indexOf(';');
    return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  }
}

/** A non-negative decimal integer, NaN if malformed (RFC 3261 §20.19, §20.22). */
export function parseNonNegativeInteger(value: string): number {
  const text = value.trim();
  if (text.length === 0 || text.length > 10) return Number.NaN;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
  }
  return Number(text);
}
