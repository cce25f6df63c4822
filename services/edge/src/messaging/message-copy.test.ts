import { parseNameAddr } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import { cameBackToUs, copyOfStored, loopKey, storedMessage } from './message-copy.js';
import { udpTooBig } from './path-mtu.js';

const request = {
  callId: 'c1',
  cseq: { seq: 7, method: 'MESSAGE' },
  from: parseNameAddr('<sip:alice@example.com>;tag=a1'),
  to: parseNameAddr('<sip:bob@example.com>'),
};
const vias = (...values: string[]) => ({ headerValues: (name: string) => (name === 'via' ? values : []) });

describe('MESSAGE copies', () => {
  it('loop key - stable for the same request, different when Call-ID, CSeq or From tag differ; a token for a Via branch', () => {
    const key = loopKey(request);
    expect(loopKey({ ...request })).toBe(key);
    expect(key).toMatch(/^im-[A-Za-z0-9-]{16}$/);
    expect(loopKey({ ...request, callId: 'c2' })).not.toBe(key);
    expect(loopKey({ ...request, cseq: { seq: 8, method: 'MESSAGE' } })).not.toBe(key);
    expect(loopKey({ ...request, from: parseNameAddr('<sip:alice@example.com>;tag=a2') })).not.toBe(key);
  });

  it('loop - our Via with the key anywhere in the Via list is a loop; another branch is not', () => {
    const key = loopKey(request);
    expect(cameBackToUs(vias('SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKother', `SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK${key}.0123abcd`), key)).toBe(true);
    expect(cameBackToUs(vias('SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKother'), key)).toBe(false);
    expect(cameBackToUs(vias(`SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK${key}x.1`), key)).toBe(false);
  });

  it('stored copy - keeps From, To, Call-ID, CSeq, Date and Content-Type, and has the loop key of the original', () => {
    const copy = { headers: { From: '<sip:alice@example.com>;tag=a1', To: '<sip:bob@example.com>', 'Call-ID': 'c1', CSeq: '7 MESSAGE', Date: 'D', 'Content-Type': 'text/plain', 'Max-Forwards': '69' }, body: Buffer.from('hi') };
    const stored = storedMessage(copy, 7);
    expect(stored).toEqual({ from: copy.headers.From, to: copy.headers.To, callId: 'c1', cseq: 7, date: 'D', contentType: 'text/plain', body: Buffer.from('hi') });
    const again = copyOfStored(stored);
    expect(again.headers).toEqual({ From: copy.headers.From, To: copy.headers.To, 'Call-ID': 'c1', CSeq: '7 MESSAGE', Date: 'D', 'Content-Type': 'text/plain' });
    expect(again.branchKey).toBe(loopKey(request));
  });

  it('path MTU - a large MESSAGE for a UDP contact goes to TCP at the same address and port; small ones and streams stay', () => {
    const big = { headers: { From: 'a' }, body: Buffer.from('x'.repeat(1200)) };
    const small = { headers: { From: 'a' }, body: Buffer.from('x'.repeat(100)) };
    expect(udpTooBig('udp|0|5070|192.0.2.7', 'sip:bob@192.0.2.7:5070', big)).toEqual({ tcpTarget: 'sip:192.0.2.7:5070;transport=tcp' });
    expect(udpTooBig('udp|0|5070|2001:db8::7', 'sip:bob@[2001:db8::7]:5070', big)).toEqual({ tcpTarget: 'sip:[2001:db8::7]:5070;transport=tcp' });
    expect(udpTooBig(undefined, 'sip:bob@192.0.2.7', big)).toEqual({ tcpTarget: 'sip:192.0.2.7:5060;transport=tcp' });
    expect(udpTooBig('udp|0|5070|192.0.2.7', 'sip:bob@192.0.2.7:5070', small)).toBeUndefined();
    expect(udpTooBig('tcp|s|3', 'sip:bob@192.0.2.7:5070;transport=tcp', big)).toBeUndefined();
    expect(udpTooBig(undefined, 'sip:bob@192.0.2.7;transport=tcp', big)).toBeUndefined();
  });
});
