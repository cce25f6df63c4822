import { addressPair, type AddressPair } from './ip-bytes.js';
import { ipProtocolOf, isDatagram, type TracedMessage } from './traced-message.js';

/**
 * Classic libpcap files (what `sngrep -I`, Wireshark and tshark read): a
 * global header, then per packet a record header and the packet. The
 * packets are synthesized IP datagrams (LINKTYPE_RAW: no link layer) of UDP
 * or TCP carrying the SIP message as the stack saw it, so a trace shows the
 * real addresses, ports and transport.
 */
const LINKTYPE_RAW = 101;
const SNAPLEN = 262_144;
const TCP_HEADER = 20;
const UDP_HEADER = 8;
/** TCP payload per synthesized segment: an IPv4 datagram holds at most 65535 bytes, headers included. */
export const MAX_SEGMENT = 65_000;
const TCP_PSH_ACK = 0x18;

export function pcapFileHeader(): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  return header;
}

/** Where a stream's next byte sits in the synthesized TCP sequence space. */
export interface StreamPosition {
  seq: number;
  ack: number;
}

/**
 * The record(s) of one message: one UDP datagram, or TCP segments of at
 * most MAX_SEGMENT bytes in sequence (a large message on a stream), each
 * as [record header, IP header, transport header, payload slice].
 */
export function pcapRecords(message: TracedMessage, stream: StreamPosition | undefined): Buffer[][] {
  const addresses = addressPair(message.srcAddress, message.dstAddress);
  if (isDatagram(message.transport)) return [packet(message, addresses, udpHeader(message, message.data.length), message.data)];
  const records: Buffer[][] = [];
  const position = stream ?? { seq: 1, ack: 1 };
  for (let offset = 0; offset < message.data.length; offset += MAX_SEGMENT) {
    const payload = message.data.subarray(offset, offset + MAX_SEGMENT);
    records.push(packet(message, addresses, tcpHeader(message, position), payload));
    position.seq = (position.seq + payload.length) >>> 0;
  }
  return records;
}

function packet(message: TracedMessage, addresses: AddressPair, transport: Buffer, payload: Buffer): Buffer[] {
  const protocol = ipProtocolOf(message.transport);
  const ip = addresses.family === 4 ? ipv4Header(addresses, protocol, transport.length + payload.length) : ipv6Header(addresses, protocol, transport.length + payload.length);
  const length = ip.length + transport.length + payload.length;
  const record = Buffer.alloc(16);
  record.writeUInt32LE(Math.floor(message.timeUs / 1e6) >>> 0, 0);
  record.writeUInt32LE(message.timeUs % 1e6, 4);
  record.writeUInt32LE(length, 8);
  record.writeUInt32LE(length, 12);
  return [record, ip, transport, payload];
}

function ipv4Header(addresses: AddressPair, protocol: number, payloadLength: number): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt8(0x45, 0); // version 4, 5 words
  header.writeUInt16BE(20 + payloadLength, 2);
  header.writeUInt16BE(0x4000, 6); // don't fragment
  header.writeUInt8(64, 8); // TTL
  header.writeUInt8(protocol, 9);
  addresses.src.copy(header, 12);
  addresses.dst.copy(header, 16);
  header.writeUInt16BE(checksum(header), 10);
  return header;
}

function ipv6Header(addresses: AddressPair, protocol: number, payloadLength: number): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x60000000, 0); // version 6
  header.writeUInt16BE(payloadLength, 4);
  header.writeUInt8(protocol, 6);
  header.writeUInt8(64, 7); // hop limit
  addresses.src.copy(header, 8);
  addresses.dst.copy(header, 24);
  return header;
}

/** Checksum 0: "not computed", which IPv4 allows and readers of traces ignore. */
function udpHeader(message: TracedMessage, payloadLength: number): Buffer {
  const header = Buffer.alloc(UDP_HEADER);
  header.writeUInt16BE(message.srcPort, 0);
  header.writeUInt16BE(message.dstPort, 2);
  header.writeUInt16BE(UDP_HEADER + payloadLength, 4);
  return header;
}

function tcpHeader(message: TracedMessage, position: StreamPosition): Buffer {
  const header = Buffer.alloc(TCP_HEADER);
  header.writeUInt16BE(message.srcPort, 0);
  header.writeUInt16BE(message.dstPort, 2);
  header.writeUInt32BE(position.seq, 4);
  header.writeUInt32BE(position.ack, 8);
  header.writeUInt8((TCP_HEADER / 4) << 4, 12);
  header.writeUInt8(TCP_PSH_ACK, 13);
  header.writeUInt16BE(65_535, 14); // window
  return header;
}

/** RFC 791 header checksum: one's complement of the one's complement sum of the 16-bit words. */
function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
