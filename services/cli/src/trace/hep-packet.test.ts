import { describe, expect, it } from 'vitest';
import { decodeHep } from '../../test/hep-decoder.js';
import { encodeHep, MAX_HEP_BYTES } from './hep-packet.js';
import type { TracedMessage } from './traced-message.js';

const message = (over: Partial<TracedMessage> = {}): TracedMessage => ({
  data: Buffer.from('NOTIFY sip:bob@[2001:db8::2]:5070 SIP/2.0\r\nContent-Length: 6\r\n\r\nGrüße'),
  transport: 'tcp',
  srcAddress: '2001:db8::1',
  srcPort: 5060,
  dstAddress: '2001:db8::2',
  dstPort: 5070,
  timeUs: 1_795_000_000_123_456,
  ...over,
});

describe('HEP3 encoding', () => {
  it('hep - IPv6 over TCP: addresses in the IPv6 chunks, protocol 6, time split in seconds and micros, UTF-8 payload whole', () => {
    const decoded = decodeHep(encodeHep(message(), { captureId: 2001, nodeName: 'edge-1' })!);
    expect(decoded).toEqual({
      ipFamily: 10,
      ipProtocol: 6,
      srcIp: '2001:db8:0:0:0:0:0:1',
      dstIp: '2001:db8:0:0:0:0:0:2',
      srcPort: 5060,
      dstPort: 5070,
      timeSeconds: 1_795_000_000,
      timeMicros: 123_456,
      protocolType: 1,
      captureId: 2001,
      nodeName: 'edge-1',
      payload: message().data.toString('utf8'),
    });
  });

  it('hep - IPv4 over UDP (ws and tls count as TCP); a message too big for 16-bit lengths is not encoded', () => {
    const udp = decodeHep(encodeHep(message({ transport: 'udp', srcAddress: '::ffff:192.0.2.1', dstAddress: '127.0.0.1' }), { captureId: 0, nodeName: 'n' })!);
    expect(udp).toMatchObject({ ipFamily: 2, ipProtocol: 17, srcIp: '192.0.2.1', dstIp: '127.0.0.1' });
    expect(decodeHep(encodeHep(message({ transport: 'ws' }), { captureId: 0, nodeName: 'n' })!).ipProtocol).toBe(6);
    expect(encodeHep(message({ data: Buffer.alloc(MAX_HEP_BYTES) }), { captureId: 0, nodeName: 'n' })).toBeUndefined();
  });
});
