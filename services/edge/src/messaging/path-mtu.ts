import { tryParseSipUri } from '@presence/core';
import type { MessageCopy } from './message-copy.js';

/**
 * RFC 3261 §18.1.1: a request within 200 bytes of the path MTU (1500 for
 * Ethernet), or of unknown MTU, must not go over UDP: 1300 bytes. The
 * stack adds the start line, Via, User-Agent and Content-Length to what is
 * counted here: 200 bytes are left for them.
 */
const UDP_SAFE_BYTES = 1300 - 200;

/**
 * When a MESSAGE to this contact would go over UDP and is too large for it,
 * the TCP URI of the same address and port (RFC 3261 §18.1.1: a UA on UDP
 * listens on TCP there too); undefined when UDP is fine or not used.
 */
export function udpTooBig(flow: string | undefined, contact: string, copy: MessageCopy): { tcpTarget: string } | undefined {
  const overUdp = flow === undefined ? uriTransport(contact) === 'udp' : flow.startsWith('udp|');
  if (!overUdp || estimatedBytes(contact, copy) <= UDP_SAFE_BYTES) return undefined;
  const address = flow === undefined ? undefined : udpFlowAddress(flow);
  if (address !== undefined) return { tcpTarget: `sip:${address.host}:${address.port};transport=tcp` };
  const uri = tryParseSipUri(contact);
  if (uri === undefined) return undefined;
  return { tcpTarget: `sip:${uri.host}:${uri.port ?? 5060};transport=tcp` };
}

function estimatedBytes(contact: string, copy: MessageCopy): number {
  let bytes = contact.length + copy.body.length;
  for (const [name, value] of Object.entries(copy.headers)) bytes += name.length + value.length + 4;
  return bytes;
}

function uriTransport(contact: string): string | undefined {
  const uri = tryParseSipUri(contact);
  if (uri === undefined || uri.scheme === 'sips') return undefined;
  return uri.params.get('transport')?.toLowerCase() ?? 'udp';
}

/** A UDP flow token is `udp|<listener>|<port>|<address>` (libs/sip TargetResolver). */
function udpFlowAddress(flow: string): { host: string; port: number } | undefined {
  const [, , port, address] = flow.split('|', 4);
  if (port === undefined || address === undefined || !Number.isInteger(Number(port))) return undefined;
  return { host: address.includes(':') ? `[${address}]` : address, port: Number(port) };
}
