import { isIP } from 'node:net';

/** Source and destination as bytes of one family, as an IP header (or HEP) carries them. */
export interface AddressPair {
  readonly family: 4 | 6;
  readonly src: Buffer;
  readonly dst: Buffer;
}

/**
 * Both addresses in one family: IPv4 when both are IPv4 (IPv4-mapped IPv6
 * counts as IPv4), else IPv6, an IPv4 side written as ::ffff:a.b.c.d. An
 * unknown or empty address (an outbound connection not yet connected) is
 * the family's wildcard.
 */
export function addressPair(src: string, dst: string): AddressPair {
  const a = unmapped(src);
  const b = unmapped(dst);
  if (isIP(a) !== 6 && isIP(b) !== 6) return { family: 4, src: ipv4Bytes(a), dst: ipv4Bytes(b) };
  return { family: 6, src: ipv6Bytes(a), dst: ipv6Bytes(b) };
}

function unmapped(address: string): string {
  const bare = address.split('%')[0] ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? mapped[1]! : bare;
}

function ipv4Bytes(address: string): Buffer {
  const bytes = Buffer.alloc(4);
  if (isIP(address) === 4) address.split('.').forEach((part, i) => (bytes[i] = Number(part)));
  return bytes;
}

/** RFC 4291 §2.2 text forms: full, `::` compressed, with a dotted IPv4 tail; an IPv4 address becomes ::ffff:a.b.c.d. */
export function ipv6Bytes(address: string): Buffer {
  const bytes = Buffer.alloc(16);
  if (isIP(address) === 4) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    ipv4Bytes(address).copy(bytes, 12);
    return bytes;
  }
  if (isIP(address) !== 6) return bytes;
  let text = address;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Bytes(dotted[1]!);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    text = text.slice(0, dotted.index);
    if (!text.endsWith('::')) text = text.slice(0, -1); // the ':' before the dotted part
  }
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  const front = groups(gap === -1 ? text : text.slice(0, gap));
  const back = [...(gap === -1 ? [] : groups(text.slice(gap + 2))), ...tail];
  const zeros = gap === -1 ? 0 : 8 - front.length - back.length;
  const words = [...front, ...Array<number>(Math.max(0, zeros)).fill(0), ...back];
  words.slice(0, 8).forEach((word, i) => bytes.writeUInt16BE(word & 0xffff, i * 2));
  return bytes;
}
