import { createSocket } from 'node:dgram';

/**
 * A HEP3 decoder written for the tests from the sipcapture HEP3 chunk table,
 * independent of the encoder under test: every chunk is read by its type id
 * and length, unknown ones kept raw, so a wrong length or type shows.
 */
export interface HepPacket {
  readonly ipFamily: number;
  readonly ipProtocol: number;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly timeSeconds: number;
  readonly timeMicros: number;
  readonly protocolType: number;
  readonly captureId: number;
  readonly nodeName: string | undefined;
  readonly payload: string;
}

export function decodeHep(packet: Buffer): HepPacket {
  if (packet.toString('latin1', 0, 4) !== 'HEP3') throw new Error('not HEP3');
  if (packet.readUInt16BE(4) !== packet.length) throw new Error(`HEP length ${packet.readUInt16BE(4)} != datagram ${packet.length}`);
  const chunks = new Map<number, Buffer>();
  for (let at = 6; at < packet.length; ) {
    const vendor = packet.readUInt16BE(at);
    const type = packet.readUInt16BE(at + 2);
    const length = packet.readUInt16BE(at + 4);
    if (length < 6 || at + length > packet.length) throw new Error(`chunk ${type} at ${at}: bad length ${length}`);
    if (vendor === 0) chunks.set(type, packet.subarray(at + 6, at + length));
    at += length;
  }
  const chunk = (type: number): Buffer => {
    const value = chunks.get(type);
    if (value === undefined) throw new Error(`chunk ${type} missing`);
    return value;
  };
  const family = chunk(1).readUInt8(0);
  const ip = (type4: number, type6: number): string => (family === 2 ? [...chunk(type4)].join('.') : ipv6Text(chunk(type6)));
  return {
    ipFamily: family,
    ipProtocol: chunk(2).readUInt8(0),
    srcIp: ip(3, 5),
    dstIp: ip(4, 6),
    srcPort: chunk(7).readUInt16BE(0),
    dstPort: chunk(8).readUInt16BE(0),
    timeSeconds: chunk(9).readUInt32BE(0),
    timeMicros: chunk(10).readUInt32BE(0),
    protocolType: chunk(11).readUInt8(0),
    captureId: chunk(12).readUInt32BE(0),
    nodeName: chunks.get(19)?.toString('utf8'),
    payload: chunk(15).toString('utf8'),
  };
}

/** Eight groups, leading zeros dropped, no `::` compression (enough to compare in tests). */
function ipv6Text(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`IPv6 chunk of ${bytes.length} bytes`);
  return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
}

/** A HEP collector for a test: a UDP socket on 127.0.0.1 decoding every datagram it gets. */
export interface HepReceiver {
  readonly port: number;
  /** Decoded packets, in arrival order. */
  readonly packets: HepPacket[];
  close(): void;
}

export async function startHepReceiver(): Promise<HepReceiver> {
  const socket = createSocket('udp4');
  const packets: HepPacket[] = [];
  socket.on('message', (packet) => void packets.push(decodeHep(packet)));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, packets, close: () => socket.close() };
}
