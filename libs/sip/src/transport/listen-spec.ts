import { isIP } from 'node:net';
import { parsePort } from '../wire/host-port.js';
import type { ListenSpec, TransportName } from './transport-types.js';

const TRANSPORTS: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls', 'ws', 'wss']);

/**
 * Parses "udp:127.0.0.1:5060,tcp:127.0.0.1:5060,tls:127.0.0.1:5061,wss:[::1]:8443".
 * Transports: udp, tcp, tls, ws, wss. Hosts must be IP literals (IPv6 in
 * brackets); port 0 means ephemeral. Throws an Error naming the bad item.
 * Empty text gives [].
 */
export function parseListenSpecs(text: string): ListenSpec[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) return [];
  return trimmed.split(',').map((raw) => parseItem(raw.trim()));
}

function parseItem(item: string): ListenSpec {
  const fail = (why: string): never => {
    throw new Error(`invalid listen spec "${item}": ${why} (expected transport:host:port, e.g. udp:127.0.0.1:5060)`);
  };
  const colon = item.indexOf(':');
  if (colon <= 0) fail('missing transport');
  const transport = item.slice(0, colon).toLowerCase();
  if (!TRANSPORTS.has(transport)) fail(`unknown transport ${item.slice(0, colon)}`);
  const hostPort = item.slice(colon + 1);
  let host: string;
  let portText: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1 || hostPort[close + 1] !== ':') fail('bad IPv6 address');
    host = hostPort.slice(1, close);
    portText = hostPort.slice(close + 2);
  } else {
    const last = hostPort.lastIndexOf(':');
    if (last === -1) fail('missing port');
    host = hostPort.slice(0, last);
    portText = hostPort.slice(last + 1);
  }
  if (isIP(host) === 0) fail(`host ${host} is not an IP address`);
  const port = parsePort(portText);
  if (port === undefined) fail(`bad port ${portText}`);
  return { transport: transport as TransportName, host, port: port as number };
}
