import { fuzzAssert, nameAddr, sipHost, sipToken } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNonNegativeInteger } from '../message/message-view.js';
import { parseCSeq, readCoreHeaders } from '../message/read-core-headers.js';
import { parseAuthHeader } from './auth-params.js';
import { parseGenericParams } from './generic-params.js';
import { parseNameAddr } from './name-addr.js';
import { formatParams, parseParams } from './params.js';
import { SipParseError } from './sip-parse-error.js';
import { firstListItem, splitHeaderList } from './split-list.js';
import { formatVia, parseVia } from './via.js';

/**
 * Properties of the header parsers (RFC 3261 §20, §25.1): a generated valid
 * value reads back as written, and any text — mostly the characters the
 * grammar gives meaning to, in runs — is read or refused with a
 * SipParseError or `undefined`, never with another exception. The check that
 * no regular expression here backtracks is test/fuzz/regex-redos.test.ts.
 */
const GRAMMAR_CHARS = ['a', 'Z', '0', ' ', '\t', '"', '\\', '<', '>', ';', ',', ':', '=', '@', '/', '[', ']', '.', '%', '?', 'é', '\u0000', '\x7f'];
const run = fc.tuple(fc.constantFrom(...GRAMMAR_CHARS), fc.integer({ min: 1, max: 2_000 })).map(([c, n]) => c.repeat(n));
/** Short pieces of grammar, sometimes a long run of one character: where a scanner goes quadratic or trips. */
const headerText = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...GRAMMAR_CHARS, 'sip:', 'SIP/2.0/UDP ', ';tag=', 'Digest ', '<sip:a@b>') }, { weight: 1, arbitrary: run }), { maxLength: 40 }).map((p) => p.join(''));

/** `parse` returns, or throws a SipParseError; anything else fails the property. */
function refusesTyped(parse: (value: string) => unknown): (value: string) => void {
  return (value) => {
    try {
      parse(value);
    } catch (error) {
      expect(error).toBeInstanceOf(SipParseError);
    }
  };
}

// Counts, not time, bound these: the timeout only keeps a busy CI machine from failing them.
describe('header parser properties', { timeout: 60_000 }, () => {
  it('fuzz - From/To/Contact name-addr: a generated value reads back (display name, URI, parameters)', () => {
    fuzzAssert(
      'name-addr round trip',
      fc.property(nameAddr, (written) => {
        const read = parseNameAddr(written.text);
        expect(read).toEqual({ ...(written.displayName === undefined ? {} : { displayName: written.displayName }), uri: written.uri, params: written.params });
      }),
      2010,
      1500,
    );
  });

  it('fuzz - Via: a generated entry reads back and formats to itself', () => {
    const via = fc
      .record({
        transport: fc.constantFrom('UDP', 'tcp', 'TLS', 'WS', 'wss', 'SCTP'),
        host: sipHost,
        port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        params: fc.uniqueArray(fc.tuple(sipToken, fc.option(sipToken, { nil: null })), { maxLength: 4, selector: ([n]) => n.toLowerCase() }),
      })
      .map((v) => ({ ...v, params: v.params.map(([n, value]) => [n.toLowerCase(), value] as const).filter(([n]) => n !== '__proto__') }));
    fuzzAssert(
      'via round trip',
      fc.property(via, (v) => {
        const text = `SIP/2.0/${v.transport} ${v.host}${v.port === undefined ? '' : `:${v.port}`}${v.params.map(([n, value]) => (value === null ? `;${n}` : `;${n}=${value}`)).join('')}`;
        const read = parseVia(text);
        expect(read).toEqual({ transport: v.transport.toUpperCase(), host: v.host, port: v.port, params: Object.fromEntries(v.params) });
        expect(parseVia(formatVia(read!))).toEqual(read);
      }),
      2042,
      1000,
    );
  });

  it('fuzz - CSeq, Expires, Max-Forwards and parameters: generated values read back', () => {
    fuzzAssert(
      'cseq and integers round trip',
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), sipToken, fc.constantFrom('', ' ', '\t  '), (seq, method, lws) => {
        expect(parseCSeq(`${lws}${seq}${lws} ${method}${lws}`)).toEqual({ seq, method });
        expect(parseNonNegativeInteger(`${lws}${seq}${lws}`)).toBe(seq);
      }),
      2031,
      1000,
    );
    fuzzAssert(
      'parameters round trip',
      fc.property(fc.uniqueArray(fc.tuple(sipToken.map((n) => n.toLowerCase()), fc.option(sipToken, { nil: null })), { maxLength: 6, selector: ([n]) => n }), (params) => {
        const expected = Object.fromEntries(params.filter(([n]) => n !== '__proto__'));
        expect(parseParams(formatParams(expected), 0)).toEqual(expected);
        expect(parseGenericParams(formatParams(expected), 0)).toEqual(expected);
      }),
      2032,
      1000,
    );
  });

  it('fuzz - any header text is read or refused with SipParseError or undefined: name-addr, Via, CSeq, parameters, lists, credentials, core headers', () => {
    fuzzAssert(
      'header text never throws untyped',
      fc.property(headerText, (value) => {
        refusesTyped(parseNameAddr)(value);
        refusesTyped(parseAuthHeader)(value);
        parseVia(value);
        parseCSeq(value);
        parseNonNegativeInteger(value);
        parseParams(value, 0);
        parseGenericParams(value, 0);
        splitHeaderList(value);
        firstListItem(value);
        const core = readCoreHeaders(new Map([['call-id', [value]], ['cseq', [value]], ['from', [value]], ['to', [value]]]));
        expect(['string', 'object']).toContain(typeof core);
      }),
      2033,
      1500,
    );
  });
});
