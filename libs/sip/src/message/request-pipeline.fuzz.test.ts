import { applyMutations, fuzzAssert, mutations, nameAddr, sipHeader, sipToken } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Flow } from '../transport/transport-types.js';
import { canonicalHeaderName } from '../wire/header-names.js';
import { parseWholeMessage } from '../wire/parse-message.js';
import { SipParseError } from '../wire/sip-parse-error.js';
import { parseVia } from '../wire/via.js';
import { bodyProblem } from './body-problem.js';
import { readCoreHeaders } from './read-core-headers.js';
import { requestProblem } from './request-problem.js';
import { RequestView } from './request-view.js';

/**
 * The intake's promise, as a property: a request that passes its checks
 * (core headers, Request-URI, Contact, Record-Route, Event, body) can be
 * read through every accessor of its view without a throw, so a handler
 * never turns a malformed header into a 500. Requests are generated with
 * the headers presence handlers read, then damaged.
 */
const FLOW: Flow = { transport: 'udp', remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2, token: 't' };

const CHECKED = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'record-route', 'event', 'content-type', 'content-length', 'expires', 'max-forwards']);

const request = fc
  .record({
    method: fc.constantFrom('REGISTER', 'SUBSCRIBE', 'PUBLISH', 'NOTIFY', 'OPTIONS', 'MESSAGE'),
    from: nameAddr,
    to: nameAddr,
    contacts: fc.array(nameAddr, { maxLength: 3 }),
    recordRoute: fc.array(nameAddr, { maxLength: 2 }),
    event: fc.tuple(sipToken, fc.array(fc.tuple(sipToken, sipToken), { maxLength: 2 })).map(([type, params]) => type + params.map(([n, v]) => `;${n}=${v}`).join('')),
    expires: fc.oneof(fc.nat().map(String), fc.constantFrom('', '-1', '4294967296')),
    // Extension headers only: a second From or Event is refused, rightly.
    extra: fc.array(sipHeader.filter((h) => !CHECKED.has(canonicalHeaderName(h.name))), { maxLength: 4 }),
    cseq: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map((r) => {
    const lines = [
      `${r.method} sip:someone@example.com SIP/2.0`,
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKfuzz;rport',
      'Max-Forwards: 70',
      `From: ${r.from.text}`,
      `To: ${r.to.text}`,
      'Call-ID: fuzz@example.com',
      `CSeq: ${r.cseq} ${r.method}`,
      ...(r.contacts.length > 0 ? [`Contact: ${r.contacts.map((c) => c.text).join(', ')}`] : []),
      ...r.recordRoute.map((rr) => `Record-Route: ${rr.text}`),
      `Event: ${r.event}`,
      `Expires: ${r.expires}`,
      'Content-Type: application/pidf+xml; charset=utf-8',
      'Authorization: Digest username="a", realm="example.com", nonce="n", uri="sip:example.com", response="0"',
      ...r.extra.map((h) => `${h.name}: ${h.value}`),
    ];
    return `${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
  });

/** What the intake does with the bytes; then, if it accepted them, every accessor. */
function intakeThenRead(bytes: Buffer): 'dropped' | 'refused' | 'read' {
  const message = parseWholeMessage(bytes);
  if (typeof message === 'string' || message.method === undefined) return 'dropped';
  if (message.framingError !== undefined || message.unsupportedVersion !== undefined) return 'refused';
  const vias = message.headers.get('via') ?? [];
  if (vias.length === 0 || parseVia(vias[0]!) === undefined) return 'refused';
  const core = readCoreHeaders(message.headers);
  if (typeof core === 'string') return 'refused';
  const view = new RequestView(message.method, message.uri, FLOW, message.headers, message.bodyBytes, core);
  if ((requestProblem(view) ?? bodyProblem(view.header('content-type'), message.bodyIsUtf8 !== false)) !== undefined) return 'refused';
  void view.contacts;
  void view.expires;
  void view.maxForwards;
  void view.contentType;
  void view.recordRoute;
  for (const name of ['event', 'accept', 'sip-if-match', 'authorization', 'x-fuzz', 'subscription-state']) {
    view.header(name);
    view.headerValues(name);
    view.headerLines(name);
  }
  return 'read';
}

// Counts, not time, bound these: the timeout only keeps a busy CI machine from failing them.
describe('request pipeline properties', { timeout: 60_000 }, () => {
  it('fuzz - a generated request passes the intake and reads through every accessor', () => {
    fuzzAssert('generated request accepted', fc.property(request, (text) => {
      expect(intakeThenRead(Buffer.from(text, 'utf8'))).toBe('read');
    }), 3262, 500);
  });

  it('fuzz - a damaged one is dropped or refused by the intake, or reads without a throw', () => {
    fuzzAssert(
      'damaged request never throws past the intake',
      fc.property(request, mutations(3, 3_000), (text, damage) => {
        try {
          intakeThenRead(applyMutations(Buffer.from(text, 'utf8'), damage));
        } catch (error) {
          // Only the view's lazy parsers may throw, and only what the stack turns into 400: even that is a bug here.
          expect.fail(`${error instanceof SipParseError ? 'SipParseError' : 'exception'} past the intake: ${String(error)}`);
        }
      }),
      3263,
      1000,
    );
  });
});
