import { describe, expect, it } from 'vitest';
import { addressPair, ipv6Bytes } from './ip-bytes.js';

const hex = (b: Buffer) => b.toString('hex');

describe('ip bytes', () => {
  it('ipv6 - full, compressed, loopback, wildcard, dotted tails and zones', () => {
    expect(hex(ipv6Bytes('2001:db8:0:0:0:0:0:5'))).toBe('20010db8000000000000000000000005');
    expect(hex(ipv6Bytes('2001:db8::5'))).toBe('20010db8000000000000000000000005');
    expect(hex(ipv6Bytes('::1'))).toBe('00000000000000000000000000000001');
    expect(hex(ipv6Bytes('::'))).toBe('00000000000000000000000000000000');
    expect(hex(ipv6Bytes('fe80::1:2'))).toBe('fe800000000000000000000000010002');
    expect(hex(ipv6Bytes('64:ff9b::192.0.2.33'))).toBe('0064ff9b0000000000000000c0000221');
    expect(hex(ipv6Bytes('1:2:3:4:5:6:192.0.2.33'))).toBe('000100020003000400050006c0000221');
    expect(hex(ipv6Bytes('192.0.2.1'))).toBe('00000000000000000000ffffc0000201');
  });

  it('pair - IPv4 when both are (mapped counts), else IPv6; an empty side is the wildcard', () => {
    expect(addressPair('127.0.0.1', '::ffff:192.0.2.1')).toEqual({ family: 4, src: Buffer.from([127, 0, 0, 1]), dst: Buffer.from([192, 0, 2, 1]) });
    expect(addressPair('', '10.1.2.3')).toEqual({ family: 4, src: Buffer.alloc(4), dst: Buffer.from([10, 1, 2, 3]) });
    const mixed = addressPair('::1', '192.0.2.1');
    expect(mixed.family).toBe(6);
    expect(hex(mixed.src)).toBe('00000000000000000000000000000001');
    expect(hex(mixed.dst)).toBe('00000000000000000000ffffc0000201');
    expect(hex(addressPair('fe80::1%eth0', '::1').src)).toBe('fe800000000000000000000000000001');
  });
});
