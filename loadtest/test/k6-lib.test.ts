import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge, type HexHash } from '../k6/lib/digest.ts';
import { parseDurationMs } from '../k6/lib/load-config.ts';
import { pidfDocument, readPublishedChange } from '../k6/lib/presence-note.ts';
import { buildRequest, buildResponse, cseqOf, header, parseSipMessage, tagOf, topViaBranch, utf8Length } from '../k6/lib/sip-message.ts';

/** The k6 scripts' own library (pure parts), in Node: k6/crypto's md5/sha256 are node:crypto's digests. */
const hash: HexHash = (algorithm, text) => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text, 'utf8').digest('hex');

function responseOf(authorization: string): string | undefined {
  return /response="([0-9a-f]+)"/.exec(authorization)?.[1];
}

describe('k6 lib: digest', () => {
  it('MD5 with qop=auth - RFC 2617 §3.5 example', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    expect(challenge).toMatchObject({ realm: 'testrealm@host.com', algorithm: 'MD5', qop: ['auth', 'auth-int'], opaque: '5ccc069c403ebaf9f0171e9517f40e41' });
    const value = digestAuthorization(challenge, { username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: '0a4f113b' }, hash);
    expect(responseOf(value)).toBe('6629fae49393a05397450978507c4ef1');
    expect(value).toContain('qop=auth, nc=00000001, cnonce="0a4f113b"');
    expect(value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('SHA-256 and MD5 with qop=auth - RFC 7616 §3.9.1 example', () => {
    const params = 'realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const answer = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
    const sha = parseDigestChallenge(`Digest ${params}, algorithm=SHA-256`)!;
    expect(responseOf(digestAuthorization(sha, answer, hash))).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    const md5 = parseDigestChallenge(`Digest ${params}, algorithm=MD5`)!;
    expect(responseOf(digestAuthorization(md5, answer, hash))).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('no qop offered (RFC 2069) - response without nc/cnonce; other schemes are no challenge', () => {
    const challenge = parseDigestChallenge('Digest realm="r", nonce="n"')!;
    const value = digestAuthorization(challenge, { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:r', nc: 1, cnonce: 'c' }, hash);
    const ha1 = hash('MD5', 'u:r:p');
    const ha2 = hash('MD5', 'REGISTER:sip:r');
    expect(responseOf(value)).toBe(hash('MD5', `${ha1}:n:${ha2}`));
    expect(value).not.toContain('nc=');
    expect(parseDigestChallenge('Basic realm="r"')).toBeUndefined();
    expect(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256')).toBeUndefined();
  });
});

describe('k6 lib: SIP messages', () => {
  it('a request built is a request parsed, Content-Length in bytes', () => {
    const text = buildRequest({
      method: 'PUBLISH', uri: 'sip:a@d', via: 'SIP/2.0/WS x.invalid', branch: 'z9hG4bK1', from: '<sip:a@d>;tag=f1', to: '<sip:a@d>',
      callId: 'c1', cseq: 7, headers: ['Event: presence'], contentType: 'application/pidf+xml', body: 'é',
    });
    const message = parseSipMessage(text)!;
    expect(message).toMatchObject({ method: 'PUBLISH', uri: 'sip:a@d', status: 0, body: 'é' });
    expect(header(message, 'content-length')).toBe('2');
    expect(utf8Length('a€😀')).toBe(1 + 3 + 4);
    expect(topViaBranch(message)).toBe('z9hG4bK1');
    expect(cseqOf(message)).toBe(7);
  });

  it('compact names, folded lines and several Vias on one line; the response copies them', () => {
    const notify = parseSipMessage(
      'NOTIFY sip:w@x.invalid;transport=ws SIP/2.0\r\nv: SIP/2.0/WS a;branch=z9hG4bKa, SIP/2.0/WS b;branch=z9hG4bKb\r\n' +
        'f: <sip:p@d>;tag=srv\r\nt: <sip:w@d>;tag=me\r\ni: call\r\nCSeq: 3 NOTIFY\r\nSubscription-State: active;\r\n expires=600\r\nl: 0\r\n\r\n',
    )!;
    expect(notify.headers['via']).toEqual(['SIP/2.0/WS a;branch=z9hG4bKa', 'SIP/2.0/WS b;branch=z9hG4bKb']);
    expect(header(notify, 'subscription-state')).toBe('active; expires=600');
    expect(tagOf(header(notify, 'from'))).toBe('srv');
    const response = parseSipMessage(buildResponse(notify, 200, 'OK'))!;
    expect(response).toMatchObject({ status: 200, reason: 'OK' });
    expect(response.headers['via']).toHaveLength(2);
    expect(header(response, 'call-id')).toBe('call');
    expect(parseSipMessage('garbage')).toBeUndefined();
  });

  it('the published note is read back for its run only', () => {
    const body = pidfDocument('sip:p@d', true, { run: 'r1', seq: 3, sentAtMs: 1700000000123, final: true });
    const composed = `${body}<tuple><note>k6 run=old seq=9 ts=1 final</note></tuple>`;
    expect(readPublishedChange(composed, 'r1')).toEqual({ run: 'r1', seq: 3, sentAtMs: 1700000000123, final: true });
    expect(readPublishedChange(composed, 'r2')).toBeUndefined();
  });

  it('durations from the environment', () => {
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5')).toBe(5000);
    expect(parseDurationMs('5x')).toBeUndefined();
  });
});
