import { readFile } from 'node:fs/promises';
import { DOMAIN } from '@presence/testkit/behaviour';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawUdp, requestText, startLine, type RawUdp } from '@presence/testkit';
import { startStandaloneTarget, type StandaloneTarget } from './standalone-target.js';

/**
 * What the server puts on the wire, byte for byte, over a raw UDP socket:
 * every header name spelled as the RFC defining it spells it (tools such as
 * SIPp and sngrep match names case-sensitively), Server on responses and
 * User-Agent on the NOTIFYs we send.
 */

/** The header names of a message in order (start line left out). */
function headerNames(message: string): string[] {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  return head.split('\r\n').slice(1).map((line) => line.slice(0, line.indexOf(':')));
}

/** A header's value, the name matched case-sensitively as SIPp does. */
function exactHeader(message: string, name: string): string | undefined {
  const line = message.split('\r\n').find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

const ECHOED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
let unique = 0;

describe('standalone on the wire', () => {
  let target: StandaloneTarget;
  let peer: RawUdp;
  let product: string;

  beforeAll(async () => {
    target = await startStandaloneTarget();
    peer = await rawUdp();
    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    product = `sip-presence/${version}`;
  });
  afterAll(async () => {
    await peer?.close();
    await target?.stop();
  });

  /** Sends a request from the raw peer and returns the server's next message. */
  async function exchange(method: string, uri: string, extra: string[], body?: string): Promise<string> {
    const n = ++unique;
    peer.send(
      requestText({ method, uri, sentBy: `127.0.0.1:${peer.port}`, branch: `z9hG4bKwire${n}`, callId: `wire-${process.pid}-${n}`, extra, body }),
      target.port('udp'),
    );
    return peer.next();
  }

  const user = (name: string) => `sip:${name}-${process.pid}-${++unique}@${DOMAIN}`;

  it('wire - REGISTER: 423 carries Min-Expires, 200 Date and Contact; both Server; every name as RFC 3261 spells it', async () => {
    const contact = `Contact: <sip:raw@127.0.0.1:${peer.port}>`;
    const brief = await exchange('REGISTER', `sip:${DOMAIN}`, [contact, 'Expires: 1']);
    expect(startLine(brief)).toBe('SIP/2.0 423 Interval Too Brief');
    expect(headerNames(brief)).toEqual([...ECHOED, 'Min-Expires', 'Server', 'Content-Length']);
    expect(exactHeader(brief, 'Min-Expires')).toBe('2');

    const ok = await exchange('REGISTER', `sip:${DOMAIN}`, [contact, 'Expires: 120']);
    expect(startLine(ok)).toBe('SIP/2.0 200 OK');
    expect(headerNames(ok)).toEqual([...ECHOED, 'Date', 'Contact', 'Server', 'Content-Length']);
    expect(exactHeader(ok, 'Contact')).toMatch(/^<sip:raw@127\.0\.0\.1:\d+>;expires=1[12]\d$/);
    expect(exactHeader(ok, 'Server')).toBe(product);
  });

  it('wire - PUBLISH: 200 carries Expires and SIP-ETag spelled as RFC 3903 does, the removed one after a removal', async () => {
    const presentity = user('wire-pub');
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${presentity}"><tuple id="w"><status><basic>open</basic></status></tuple></presence>`;
    const ok = await exchange('PUBLISH', presentity, ['Event: presence', 'Expires: 60', 'Content-Type: application/pidf+xml'], body);
    expect(startLine(ok)).toBe('SIP/2.0 200 OK');
    expect(headerNames(ok)).toEqual([...ECHOED, 'Expires', 'SIP-ETag', 'Server', 'Content-Length']);
    expect(exactHeader(ok, 'Expires')).toBe('60');
    const etag = exactHeader(ok, 'SIP-ETag');
    expect(etag).toMatch(/^\S+$/);

    const removed = await exchange('PUBLISH', presentity, ['Event: presence', 'Expires: 0', `SIP-If-Match: ${etag}`]);
    expect(startLine(removed)).toBe('SIP/2.0 200 OK');
    expect(headerNames(removed)).toEqual([...ECHOED, 'Expires', 'SIP-ETag', 'Server', 'Content-Length']);
    expect(exactHeader(removed, 'Expires')).toBe('0');
    expect(exactHeader(removed, 'SIP-ETag')).toBe(etag);
  });

  it('wire - SUBSCRIBE: 200 carries Expires and Contact; our NOTIFY Event, Subscription-State, Content-Type, SIP-ETag (RFC 5839) and User-Agent', async () => {
    const presentity = user('wire-sub');
    const ok = await exchange('SUBSCRIBE', presentity, ['Event: presence', 'Expires: 0', `Contact: <sip:raw@127.0.0.1:${peer.port}>`]);
    expect(startLine(ok)).toBe('SIP/2.0 200 OK');
    expect(headerNames(ok)).toEqual([...ECHOED, 'Expires', 'Contact', 'Server', 'Content-Length']);

    const notify = await peer.next();
    expect(startLine(notify)).toMatch(/^NOTIFY sip:raw@127\.0\.0\.1:\d+ SIP\/2\.0$/);
    expect(headerNames(notify)).toEqual([
      'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Event', 'Subscription-State', 'Content-Type', 'SIP-ETag', 'Max-Forwards', 'User-Agent', 'Content-Length',
    ]);
    expect(exactHeader(notify, 'Subscription-State')).toBe('terminated;reason=timeout');
    expect(exactHeader(notify, 'User-Agent')).toBe(product);
    // answer it, or it is retransmitted into the next test's inbox
    const echoed = notify.split('\r\n').filter((line) => ECHOED.some((name) => line.startsWith(`${name}:`)));
    peer.send(`SIP/2.0 200 OK\r\n${echoed.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, target.port('udp'));
  });

  it('wire - a method no RFC defines is 501, one we do not serve 405, both with Allow; ACK gets no answer (RFC 3261 §8.2.1)', async () => {
    const unknown = await exchange('FOO', `sip:${DOMAIN}`, []);
    expect(startLine(unknown)).toBe('SIP/2.0 501 Not Implemented');
    expect(headerNames(unknown)).toEqual([...ECHOED, 'Allow', 'Server', 'Content-Length']);
    expect(exactHeader(unknown, 'Allow')).toBe('REGISTER, PUBLISH, SUBSCRIBE, MESSAGE, OPTIONS');

    const notServed = await exchange('INVITE', `sip:${DOMAIN}`, []);
    expect(startLine(notServed)).toBe('SIP/2.0 405 Method Not Allowed');
    expect(headerNames(notServed)).toEqual([...ECHOED, 'Allow', 'Server', 'Content-Length']);

    peer.send(requestText({ method: 'ACK', uri: `sip:${DOMAIN}`, sentBy: `127.0.0.1:${peer.port}`, branch: 'z9hG4bKwireack' }), target.port('udp'));
    await peer.silence(200);
  });
});
