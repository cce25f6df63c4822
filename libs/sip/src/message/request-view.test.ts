import { describe, expect, it } from 'vitest';
import type { Flow } from '../transport/transport-types.js';
import { parseWholeMessage, type ParsedMessage } from '../wire/parse-message.js';
import { SipParseError } from '../wire/sip-parse-error.js';
import { readCoreHeaders } from './read-core-headers.js';
import { RequestView } from './request-view.js';

const FLOW: Flow = { transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2, token: 't' };

function view(extra: string[]): RequestView {
  const text = [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1',
    'f: "Bob" <sip:bob@example.com>;TAG=a1',
    't: sip:bob@example.com',
    'i: call-1',
    'CSeq: 42 REGISTER',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseWholeMessage(Buffer.from(text)) as ParsedMessage;
  const core = readCoreHeaders(parsed.headers);
  if (typeof core === 'string') throw new Error(core);
  return new RequestView(parsed.method!, parsed.uri, FLOW, parsed.headers, parsed.bodyBytes, core);
}

describe('request view', () => {
  it('view - body bytes are the bytes received (any octet, invalid UTF-8 kept); body is their UTF-8 text', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const head = `MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nContent-Length: ${bytes.length}\r\n\r\n`;
    const parsed = parseWholeMessage(Buffer.concat([Buffer.from(head), bytes])) as ParsedMessage;
    const core = readCoreHeaders(parsed.headers);
    if (typeof core === 'string') throw new Error(core);
    const r = new RequestView(parsed.method!, parsed.uri, FLOW, parsed.headers, parsed.bodyBytes, core);
    expect(Buffer.compare(r.bodyBytes, bytes)).toBe(0);
    expect(r.body).toBe(bytes.toString('utf8'));
    expect(r.body).toBe(r.body);
    expect(view([]).body).toBe('');
  });

  it('view - headerLines keeps each Authorization line whole (commas inside are not a list)', () => {
    const r = view(['Authorization: Digest username="a", realm="x"', 'authorization: Digest username="a", realm="y"']);
    expect(r.headerLines('Authorization')).toEqual(['Digest username="a", realm="x"', 'Digest username="a", realm="y"']);
    expect(r.headerLines('www-authenticate')).toEqual([]);
  });

  it('view - core headers from compact forms', () => {
    const r = view([]);
    expect(r.callId).toBe('call-1');
    expect(r.cseq).toEqual({ seq: 42, method: 'REGISTER' });
    expect(r.from).toEqual({ displayName: 'Bob', uri: 'sip:bob@example.com', params: { tag: 'a1' } });
    expect(r.to).toEqual({ uri: 'sip:bob@example.com', params: {} });
    expect(r.contacts).toEqual([]);
    expect(r.expires).toBeUndefined();
    expect(r.maxForwards).toBeUndefined();
  });

  it('view - header() is case-insensitive, understands compact names and joins occurrences with ", "', () => {
    const r = view(['o: presence;id=1', 'Supported: eventlist', 'k: path', 'u: presence, dialog']);
    expect(r.header('EVENT')).toBe('presence;id=1');
    expect(r.header('o')).toBe('presence;id=1');
    expect(r.header('supported')).toBe('eventlist, path');
    expect(r.headerValues('Allow-Events')).toEqual(['presence', 'dialog']);
    expect(r.header('x-missing')).toBeUndefined();
    expect(r.headerValues('x-missing')).toEqual([]);
  });

  it('view - contacts, wildcard, record-route and numeric headers', () => {
    const r = view([
      'm: <sip:bob@10.0.0.1>;expires=60;q=0.5, "B, Jr" <sip:bob@10.0.0.2>',
      'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
      'Record-Route: <sip:p3.example.com;lr>',
      'Expires: 3600',
      'Max-Forwards: 0',
    ]);
    expect(r.contacts).toEqual([
      { uri: 'sip:bob@10.0.0.1', params: { expires: '60', q: '0.5' } },
      { displayName: 'B, Jr', uri: 'sip:bob@10.0.0.2', params: {} },
    ]);
    expect(r.recordRoute).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>']);
    expect(r.expires).toBe(3600);
    expect(r.maxForwards).toBe(0);
    expect(view(['Contact: *', 'Expires: 0']).contacts).toBe('*');
    expect(view(['Expires: -1']).expires).toBeNaN();
    expect(view(['Expires: soon']).expires).toBeNaN();
    expect(() => view(['Contact: <sip:ok@x>, garbage']).contacts).toThrow(SipParseError);
  });

  it('view - malformed core headers are reported for a 400', () => {
    const parsed = parseWholeMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: abc OPTIONS\r\n\r\n')) as ParsedMessage;
    expect(readCoreHeaders(parsed.headers)).toBe('Malformed CSeq');
  });
});
