import { describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../message/message-types.js';
import { wireHeaderName } from '../wire/header-names.js';
import { requestDefaults, serializeRequest } from './outgoing-request.js';

const VIA = 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtest;rport';
const NOTIFY: OutgoingRequest = {
  method: 'NOTIFY',
  uri: 'sip:watcher@127.0.0.1:5070',
  headers: { From: '<sip:alice@example.com>;tag=1', To: '<sip:w@example.com>;tag=2', 'Call-ID': 'c1', CSeq: '2 NOTIFY' },
};

/** Splits a serialized message at the blank line. */
function split(data: Buffer): { head: string; body: Buffer } {
  const end = data.indexOf('\r\n\r\n');
  return { head: data.toString('utf8', 0, end + 2), body: data.subarray(end + 4) };
}

describe('outgoing request', () => {
  it('body - a Buffer is sent byte for byte, Content-Length counting its bytes', () => {
    // Not valid UTF-8: a decode and re-encode on the way would change these bytes.
    const body = Buffer.from([0x3c, 0xff, 0x00, 0xc3, 0x28, 0x3e]);
    const { head, body: sent } = split(serializeRequest({ ...NOTIFY, body }, VIA));
    expect(sent).toEqual(body);
    expect(head).toContain('\r\nContent-Length: 6\r\n');
  });

  it('body - one Buffer serves many requests and is left as it was; the message owns a copy', () => {
    const text = '<presence>Grüße ✓</presence>';
    const body = Buffer.from(text, 'utf8');
    const first = serializeRequest({ ...NOTIFY, headers: { ...NOTIFY.headers, CSeq: '2 NOTIFY' }, body }, VIA);
    const second = serializeRequest({ ...NOTIFY, headers: { ...NOTIFY.headers, CSeq: '3 NOTIFY' }, body }, VIA);
    body.fill(0x2a);
    for (const data of [first, second]) {
      expect(split(data).body.toString('utf8')).toBe(text);
      expect(split(data).head).toContain(`\r\nContent-Length: ${Buffer.byteLength(text)}\r\n`);
    }
    expect(split(second).head).toContain('\r\nCSeq: 3 NOTIFY\r\n');
  });

  it('body - a string is sent UTF-8 encoded, Content-Length in bytes; no body means Content-Length 0', () => {
    const { head, body } = split(serializeRequest({ ...NOTIFY, body: 'héllo ✓' }, VIA));
    expect(body.toString('utf8')).toBe('héllo ✓');
    expect(head).toContain('\r\nContent-Length: 10\r\n');
    for (const empty of [undefined, '', Buffer.alloc(0)]) {
      const data = serializeRequest({ ...NOTIFY, body: empty }, VIA);
      expect(data.toString('utf8')).toMatch(/\r\nContent-Length: 0\r\n\r\n$/);
    }
  });

  it('head - request line, our Via first, application headers, Max-Forwards added; Via and Content-Length given are ignored', () => {
    const { head } = split(
      serializeRequest({ ...NOTIFY, headers: { ...NOTIFY.headers, Via: 'SIP/2.0/UDP evil', 'content-length': '99', Route: ['<sip:p1;lr>', '<sip:p2;lr>'] } }, VIA),
    );
    expect(head.split('\r\n')).toEqual([
      'NOTIFY sip:watcher@127.0.0.1:5070 SIP/2.0',
      `Via: ${VIA}`,
      'From: <sip:alice@example.com>;tag=1',
      'To: <sip:w@example.com>;tag=2',
      'Call-ID: c1',
      'CSeq: 2 NOTIFY',
      'Route: <sip:p1;lr>',
      'Route: <sip:p2;lr>',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
    ]);
  });

  it('names - lower-case and compact names are written as the RFCs spell them, as an in-dialog NOTIFY has them', () => {
    const { head } = split(
      serializeRequest(
        {
          ...NOTIFY,
          headers: {
            from: '<sip:alice@example.com>;tag=1',
            t: '<sip:w@example.com>;tag=2',
            'call-id': 'c1',
            cseq: '2 NOTIFY',
            contact: '<sip:127.0.0.1:5060>',
            event: 'presence',
            'subscription-state': 'active;expires=60',
            'content-type': 'application/pidf+xml',
            'x-trace': 'on',
          },
        },
        VIA,
        requestDefaults('sip-presence/0.1.0'),
      ),
    );
    expect(head.split('\r\n').slice(2)).toEqual([
      'From: <sip:alice@example.com>;tag=1',
      'To: <sip:w@example.com>;tag=2',
      'Call-ID: c1',
      'CSeq: 2 NOTIFY',
      'Contact: <sip:127.0.0.1:5060>',
      'Event: presence',
      'Subscription-State: active;expires=60',
      'Content-Type: application/pidf+xml',
      'X-Trace: on',
      'Max-Forwards: 70',
      'User-Agent: sip-presence/0.1.0',
      'Content-Length: 0',
      '',
    ]);
    for (const line of head.split('\r\n').slice(1, -1)) {
      const name = line.slice(0, line.indexOf(':'));
      expect(wireHeaderName(name), line).toBe(name);
    }
  });

  it('defaults - Max-Forwards and User-Agent given by the request replace the stack\'s, in any case', () => {
    const { head } = split(
      serializeRequest({ ...NOTIFY, headers: { ...NOTIFY.headers, 'max-forwards': '5', 'USER-AGENT': 'probe/1' } }, VIA, requestDefaults('sip-presence/0.1.0')),
    );
    expect(head).toContain('\r\nMax-Forwards: 5\r\n');
    expect(head).toContain('\r\nUser-Agent: probe/1\r\n');
    expect(head.match(/Max-Forwards|User-Agent/g)).toEqual(['Max-Forwards', 'User-Agent']);
    expect(split(serializeRequest(NOTIFY, VIA)).head).not.toContain('User-Agent');
  });

  it('header injection - CR or LF anywhere in a header name or value is refused with a TypeError', () => {
    const bad: Record<string, string | readonly string[]>[] = [
      { Subject: 'a\r\nVia: SIP/2.0/UDP evil' },
      { Subject: 'a\nb' },
      { Subject: 'a\rb' },
      { Subject: '\n' },
      { Route: ['<sip:ok;lr>', '<sip:p;lr>\r\nX-Evil: 1'] },
      { 'X-Evil\r\nVia': 'x' },
      { 'X-Evil\n': 'x' },
    ];
    for (const headers of bad) {
      const serialize = (): Buffer => serializeRequest({ ...NOTIFY, headers: { ...NOTIFY.headers, ...headers } }, VIA);
      expect(serialize, JSON.stringify(headers)).toThrow(TypeError);
      expect(serialize, JSON.stringify(headers)).toThrow(/contains CR or LF/);
    }
    expect(() => serializeRequest({ ...NOTIFY, headers: { ...NOTIFY.headers, Subject: 'tab\tand spaces are fine' } }, VIA)).not.toThrow();
  });
});
