import { readFile } from 'node:fs/promises';

/** One packet of a classic pcap file (microsecond, little-endian, as ours and sngrep's -O write them). */
export interface PcapPacket {
  readonly linkType: number;
  readonly data: Buffer;
}

/** Reads every packet record; throws on a file that is not classic little-endian pcap. */
export async function readPcap(path: string): Promise<PcapPacket[]> {
  const file = await readFile(path);
  if (file.length < 24 || file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${path}: not a little-endian microsecond pcap file`);
  const linkType = file.readUInt32LE(20);
  const packets: PcapPacket[] = [];
  for (let at = 24; at + 16 <= file.length; ) {
    const length = file.readUInt32LE(at + 8);
    packets.push({ linkType, data: file.subarray(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return packets;
}

/** The SIP text of a packet of any link layer: from its first SIP start line. */
export function sipText(packet: PcapPacket): string | undefined {
  const text = packet.data.toString('utf8');
  const start = text.search(/(?:[A-Z]+ sips?:\S+ SIP\/2\.0|SIP\/2\.0 \d{3} )/);
  return start === -1 ? undefined : text.slice(start);
}
