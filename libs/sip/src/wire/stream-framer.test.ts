import { describe, expect, it } from 'vitest';
import type { ParsedMessage } from './parse-message.js';
import { StreamFramer } from './stream-framer.js';

const one = (body: string, callId = 'c1'): string =>
  `MESSAGE sip:a@b SIP/2.0\r\nCall-ID: ${callId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

function framer(max = 4096): { f: StreamFramer; messages: ParsedMessage[]; pings: number[] } {
  const messages: ParsedMessage[] = [];
  const pings: number[] = [];
  const f = new StreamFramer(max, (m) => messages.push(m), () => pings.push(1));
  return { f, messages, pings };
}

describe('stream-framer', () => {
  it('framing - reassembles messages split at every byte boundary', () => {
    const bytes = Buffer.from(one('ünïcode body') + one('second', 'c2'), 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const { f, messages } = framer();
      expect(f.push(bytes.subarray(0, cut))).toBeUndefined();
      expect(f.push(bytes.subarray(cut))).toBeUndefined();
      expect(messages.map((m) => m.bodyBytes.toString('utf8'))).toEqual(['ünïcode body', 'second']);
    }
  });

  it('framing - CRLF keep-alive ping is reported and skipped', () => {
    const { f, messages, pings } = framer();
    expect(f.push(Buffer.from(`\r\n\r\n${one('x')}`))).toBeUndefined();
    expect(pings).toHaveLength(1);
    expect(messages).toHaveLength(1);
  });

  it('framing - missing Content-Length on a stream is an error', () => {
    const { f } = framer();
    expect(f.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nbody'))).toBe('missing Content-Length on a stream');
  });

  it('framing - oversize header section or body is an error, without buffering it', () => {
    const { f } = framer(1024);
    expect(f.push(Buffer.alloc(1025, 0x41))).toBe('header section exceeds the size limit');
    const { f: g } = framer(1024);
    expect(g.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n'))).toBe('Message Too Large');
  });

  it('framing - garbage head is an error', () => {
    const { f } = framer();
    expect(f.push(Buffer.from('\x00\x01garbage\r\n\r\n'))).toBe('unparsable message head');
  });

  it('framing - a body that is not valid UTF-8 is marked, even split inside a character', () => {
    const body = Buffer.from([0x3c, 0x61, 0xc3]); // a UTF-8 lead byte with no continuation
    const bytes = Buffer.concat([Buffer.from(`PUBLISH sip:a@b SIP/2.0\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from(one('\u00e9'))]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { f, messages } = framer();
      f.push(bytes.subarray(0, cut));
      f.push(bytes.subarray(cut));
      expect(messages.map((m) => m.bodyIsUtf8)).toEqual([false, undefined]);
    }
  });
  it('framing - a misspaced Request-Line is framed and marked, not a reason to close the connection', () => {
    const { f, messages } = framer();
    expect(f.push(Buffer.from(`INVITE  sip:a@b  SIP/2.0\r\nContent-Length: 0\r\n\r\n${one('next')}`))).toBeUndefined();
    expect(messages.map((m) => m.framingError)).toEqual(['Malformed Request-Line', undefined]);
  });

  it('framing - a head that is not UTF-8 is framed and marked, so a request still gets its 400', () => {
    const { f, messages } = framer();
    const bad = Buffer.concat([Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nSubject: '), Buffer.from([0xff]), Buffer.from('\r\nContent-Length: 0\r\n\r\n')]);
    expect(f.push(bad)).toBeUndefined();
    expect(messages.map((m) => m.framingError)).toEqual(['Invalid UTF-8 in Subject']);
  });
});
