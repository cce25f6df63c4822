import { formatParams, parseParams } from './params.js';
import { parsePort } from './host-port.js';

/** One parsed Via entry (RFC 3261 §20.42). */
export interface Via {
  /** Upper-cased transport: UDP, TCP, WS, ... */
  readonly transport: string;
  /** As written; IPv6 references keep their brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Record<string, string | null>;
}

// sent-protocol LWS sent-by *( SEMI via-params ); LWS allowed around '/' and ':'.
const VIA = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+(\[[0-9A-Fa-f:.]+\]|[^\s;:[\]]+)(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$/i;

// via-params follow SEMI one by one (RFC 3261 §25.1): a ';' with no parameter
// after it (';;', a trailing ';') is an extraneous separator (RFC 4475 badinv01).
const EMPTY_PARAM = /;[ \t]*(?:;|$)/;

export function parseVia(entry: string): Via | undefined {
  const m = VIA.exec(entry);
  if (m === null) return undefined;
  let port: number | undefined;
  if (m[3] !== undefined) {
    port = parsePort(m[3]);
    if (port === undefined) return undefined;
  }
  const paramText = m[4];
  if (paramText !== undefined && EMPTY_PARAM.test(paramText)) return undefined;
  return {
    transport: (m[1] as string).toUpperCase(),
    host: m[2] as string,
    port,
    params: paramText === undefined ? {} : parseParams(paramText, 0),
  };
}

export function formatVia(via: Via): string {
  const sentBy = via.port === undefined ? via.host : `${via.host}:${via.port}`;
  return `SIP/2.0/${via.transport} ${sentBy}${formatParams(via.params)}`;
}

/** The RFC 3261 magic cookie that marks a branch as globally unique (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK';
