import { addressPair } from './ip-bytes.js';
import { ipProtocolOf, type TracedMessage } from './traced-message.js';

/**
 * HEP version 3 (the Homer/heplify capture protocol, "HEP3" in the
 * sipcapture spec): a 6-byte header ("HEP3", total length) and chunks of
 * vendor id 0, type, length (header included) and value, big-endian.
 */
const CHUNK = {
  ipFamily: 0x0001,
  ipProtocol: 0x0002,
  ipv4Src: 0x0003,
  ipv4Dst: 0x0004,
  ipv6Src: 0x0005,
  ipv6Dst: 0x0006,
  srcPort: 0x0007,
  dstPort: 0x0008,
  timeSeconds: 0x0009,
  timeMicros: 0x000a,
  protocolType: 0x000b,
  captureId: 0x000c,
  payload: 0x000f,
  nodeName: 0x0013,
} as const;

const AF_INET = 2;
const AF_INET6 = 10;
const PROTOCOL_SIP = 1;
/** The HEP length field is 16 bits: larger messages cannot be carried. */
export const MAX_HEP_BYTES = 0xffff;

export interface HepIdentity {
  /** Capture agent id (HEP chunk 12), `--hep-id`. */
  readonly captureId: number;
  /** Node name (chunk 19): the process id, so Homer shows which edge saw the message. */
  readonly nodeName: string;
}

/** The HEP3 packet of one message, or undefined when it would exceed 64 KiB. */
export function encodeHep(message: TracedMessage, identity: HepIdentity): Buffer | undefined {
  const addresses = addressPair(message.srcAddress, message.dstAddress);
  const node = Buffer.from(identity.nodeName, 'utf8');
  const v4 = addresses.family === 4;
  const length = 6 + 7 + 7 + 2 * (6 + addresses.src.length) + 8 + 8 + 10 + 10 + 7 + 10 + (6 + node.length) + (6 + message.data.length);
  if (length > MAX_HEP_BYTES) return undefined;
  const packet = Buffer.allocUnsafe(length);
  packet.write('HEP3', 0, 'latin1');
  packet.writeUInt16BE(length, 4);
  let at = 6;
  const chunk = (type: number, size: number): number => {
    packet.writeUInt16BE(0, at);
    packet.writeUInt16BE(type, at + 2);
    packet.writeUInt16BE(6 + size, at + 4);
    const value = at + 6;
    at = value + size;
    return value;
  };
  packet.writeUInt8(v4 ? AF_INET : AF_INET6, chunk(CHUNK.ipFamily, 1));
  packet.writeUInt8(ipProtocolOf(message.transport), chunk(CHUNK.ipProtocol, 1));
  addresses.src.copy(packet, chunk(v4 ? CHUNK.ipv4Src : CHUNK.ipv6Src, addresses.src.length));
  addresses.dst.copy(packet, chunk(v4 ? CHUNK.ipv4Dst : CHUNK.ipv6Dst, addresses.dst.length));
  packet.writeUInt16BE(message.srcPort, chunk(CHUNK.srcPort, 2));
  packet.writeUInt16BE(message.dstPort, chunk(CHUNK.dstPort, 2));
  packet.writeUInt32BE(Math.floor(message.timeUs / 1e6) >>> 0, chunk(CHUNK.timeSeconds, 4));
  packet.writeUInt32BE(message.timeUs % 1e6, chunk(CHUNK.timeMicros, 4));
  packet.writeUInt8(PROTOCOL_SIP, chunk(CHUNK.protocolType, 1));
  packet.writeUInt32BE(identity.captureId >>> 0, chunk(CHUNK.captureId, 4));
  node.copy(packet, chunk(CHUNK.nodeName, node.length));
  message.data.copy(packet, chunk(CHUNK.payload, message.data.length));
  return packet;
}
