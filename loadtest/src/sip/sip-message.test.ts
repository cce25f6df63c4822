import { describe, expect, it } from 'vitest';
import { buildRequest, buildResponse } from './build-message.js';
import { pidfWithTimestamp, readTimestamp, timestampNowMs } from './pidf-timestamp.js';
import { parseSipMessage, tagOf, topBranch } from './sip-message.js';
import { StreamFramer } from './stream-framer.js';

const NOTIFY =
  'NOTIFY sip:lt1w7@127.0.0.1:40000;transport=udp SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport\r\n' +
  'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKproxy\r\n' +
  'f: <sip:lt1p7@127.0.0.1>;tag=srv1\r\n' +
  't: <sip:lt1w7@127.0.0.1>;tag=w7\r\n' +
  'i: lt1w7\r\n' +
  'CSeq: 42 NOTIFY\r\n' +
  'Subscription-State: active;expires=3599\r\n' +
  'Content-Type: application/pidf+xml\r\n' +
  'l: 5\r\n' +
  '\r\n' +
  'hello';

describe('sip message', () => {
  it('sip message - reads a request with compact headers, several Vias and a body', () => {
    const message = parseSipMessage(NOTIFY)!;
    expect(message).toMatchObject({ status: 0, method: 'NOTIFY', callId: 'lt1w7', cseq: 42, cseqMethod: 'NOTIFY', body: 'hello' });
    expect(message.vias).toEqual(['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKproxy']);
    expect(message.headers.get('subscription-state')).toBe('active;expires=3599');
    expect(tagOf(message.from)).toBe('srv1');
    expect(tagOf(message.to)).toBe('w7');
  });

  it('sip message - answers a NOTIFY with Via, From, To, Call-ID and CSeq copied', () => {
    const response = parseSipMessage(buildResponse(parseSipMessage(NOTIFY)!, 200, 'OK'))!;
    expect(response).toMatchObject({ status: 200, reason: 'OK', callId: 'lt1w7', cseq: 42, cseqMethod: 'NOTIFY', body: '' });
    expect(response.vias).toHaveLength(2);
    expect(topBranch(response)).toBe('z9hG4bKabc');
    expect(tagOf(response.to)).toBe('w7');
  });

  it('sip message - a built request parses back with its branch, headers and body', () => {
    const body = pidfWithTimestamp('sip:a@x', 'open', 1_700_000_000_123.456);
    const text = buildRequest({
      method: 'PUBLISH',
      uri: 'sip:a@x',
      via: 'SIP/2.0/TCP 127.0.0.1:1234',
      branch: 'z9hG4bKlt0x1',
      from: '<sip:a@x>;tag=p0',
      to: '<sip:a@x>',
      callId: 'ltp0',
      cseq: 3,
      headers: ['Event: presence', 'SIP-If-Match: e1'],
      authorization: 'Digest username="a", nc=00000002',
      contentType: 'application/pidf+xml',
      body,
    });
    expect(text).toContain(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n<?xml`);
    const message = parseSipMessage(text)!;
    expect(message).toMatchObject({ method: 'PUBLISH', cseq: 3, cseqMethod: 'PUBLISH', body });
    expect(topBranch(message)).toBe('z9hG4bKlt0x1');
    expect(message.headers.get('event')).toBe('presence');
    expect(text).toContain('SIP-If-Match: e1\r\nAuthorization: Digest username="a", nc=00000002\r\n');
  });

  it('sip message - reads the status and SIP-ETag of a response; rejects what is not SIP', () => {
    const message = parseSipMessage('SIP/2.0 412 Conditional Request Failed\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nSIP-ETag: abc\r\nContent-Length: 0\r\n\r\n')!;
    expect(message.status).toBe(412);
    expect(message.headers.get('sip-etag')).toBe('abc');
    expect(message.wwwAuthenticate).toEqual([]);
    expect(parseSipMessage('GET / HTTP/1.1\r\n\r\n')).toBeUndefined();
    expect(parseSipMessage('NOTIFY sip:a SIP/2.0\r\nVia: x')).toBeUndefined();
  });

  it('sip message - keeps every WWW-Authenticate of a 401, in order', () => {
    const message = parseSipMessage(
      'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n' +
        'WWW-Authenticate: Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"\r\n' +
        'www-authenticate: Digest realm="r", nonce="n", algorithm=MD5, qop="auth"\r\nContent-Length: 0\r\n\r\n',
    )!;
    expect(message.wwwAuthenticate).toEqual(['Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"', 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"']);
  });

  it('pidf timestamp - the published timestamp reads back exactly from a composed document', () => {
    const ts = timestampNowMs();
    const composed = pidfWithTimestamp('sip:a@x', 'closed', ts).replace('<tuple', '<tuple id="other"><status><basic>open</basic></status></tuple><tuple');
    expect(readTimestamp(composed)).toBe(ts);
    expect(readTimestamp('<presence/>')).toBeUndefined();
  });

  it('stream framer - splits by Content-Length across chunks and skips keep-alive CRLFs', () => {
    const framer = new StreamFramer();
    const wire = Buffer.from(`\r\n\r\n${NOTIFY}${NOTIFY}`, 'latin1');
    const first = framer.push(wire.subarray(0, 100));
    const rest = framer.push(wire.subarray(100));
    expect(first).toEqual([]);
    expect(rest).toEqual([NOTIFY, NOTIFY]);
    expect(() => new StreamFramer().push(Buffer.from('NOTIFY x SIP/2.0\r\nVia: y\r\n\r\n'))).toThrow(/Content-Length/);
  });
});
