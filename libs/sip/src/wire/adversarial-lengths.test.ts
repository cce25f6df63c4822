import { adversarialInputs } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { parseCSeq, readCoreHeaders } from '../message/read-core-headers.js';
import { parseNonNegativeInteger } from '../message/message-view.js';
import { parseAuthHeader } from './auth-params.js';
import { parseGenericParams } from './generic-params.js';
import { parseNameAddr } from './name-addr.js';
import { parseParams } from './params.js';
import { contentLength, parseHead, parseWholeMessage } from './parse-message.js';
import { SipParseError } from './sip-parse-error.js';
import { tryParseSipUri } from '@presence/core/sip-uri';
import { firstListItem, splitHeaderList } from './split-list.js';
import { StreamFramer } from './stream-framer.js';
import { parseVia } from './via.js';

/**
 * Every header parser against 100 kB runs of the characters that make
 * backtracking parsers quadratic (a 59 kB run of whitespace in a From once
 * took the `sip` package's name-addr grammar 5 s). No timing is asserted:
 * each parser must simply come back, with a result or a refusal. Linear
 * parsers get through all of it in about a second; with the old name-addr
 * parser the first test had not finished after two minutes.
 */
const CONTEXTS: Readonly<Record<string, (run: string) => string>> = {
  alone: (run) => run,
  'between tokens': (run) => `a${run}x`,
  'before <uri>': (run) => `a${run}<sip:a@b>`,
  'in a quoted display name': (run) => `"${run}" <sip:a@b>`,
  'in a URI': (run) => `<sip:a@b${run}>`,
  'after a scheme': (run) => `sip:a${run}`,
  'in a parameter': (run) => `<sip:a@b>;x=${run};y`,
  'in a Via': (run) => `SIP/2.0/UDP h${run}:5060;branch=z9hG4bK${run}`,
  'in credentials': (run) => `Digest username="${run}", realm=${run}, nonce="a"${run}`,
  'after an auth-scheme': (run) => `Digest${run}`,
};
const INPUTS = adversarialInputs(CONTEXTS);

/** Runs `parse` on every input; a SipParseError is a refusal, anything else thrown fails. */
function survivesAll(parse: (value: string) => unknown): number {
  let completed = 0;
  for (const [label, value] of INPUTS) {
    try {
      parse(value);
    } catch (error) {
      if (!(error instanceof SipParseError)) throw new Error(`${label}: ${String(error)}`);
    }
    completed++;
  }
  return completed;
}

function request(headerName: string, value: string): string {
  return `SUBSCRIBE sip:p@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n${headerName}: ${value}\r\nContent-Length: 0\r\n\r\n`;
}

describe('adversarial lengths', () => {
  it('adversarial - name-addr, generic and URI parameters, Via', () => {
    expect(survivesAll(parseNameAddr)).toBe(INPUTS.length);
    expect(survivesAll((v) => parseGenericParams(v, 0))).toBe(INPUTS.length);
    expect(survivesAll((v) => parseParams(v, 0))).toBe(INPUTS.length);
    expect(survivesAll(parseVia)).toBe(INPUTS.length);
  });

  it('adversarial - Authorization and WWW-Authenticate (credentials, challenges)', () => {
    expect(survivesAll(parseAuthHeader)).toBe(INPUTS.length);
  });

  it('adversarial - header lists, SIP URIs, CSeq and numbers', () => {
    expect(survivesAll((v) => splitHeaderList(v))).toBe(INPUTS.length);
    expect(survivesAll(firstListItem)).toBe(INPUTS.length);
    expect(survivesAll(tryParseSipUri)).toBe(INPUTS.length);
    expect(survivesAll(parseCSeq)).toBe(INPUTS.length);
    expect(survivesAll((v) => parseCSeq(`1${v}SUBSCRIBE`))).toBe(INPUTS.length);
    expect(survivesAll(parseNonNegativeInteger)).toBe(INPUTS.length);
  });

  it('adversarial - whole heads: every core header, Content-Length and the Request-URI', () => {
    for (const name of ['From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Via', 'Content-Length', 'Event']) {
      expect(
        survivesAll((v) => {
          const head = parseHead(request(name, v).slice(0, -4));
          if (head !== undefined) {
            readCoreHeaders(head.headers);
            contentLength(head.headers);
          }
        }),
        name,
      ).toBe(INPUTS.length);
    }
    expect(survivesAll((v) => parseWholeMessage(Buffer.from(`OPTIONS sip:${v} SIP/2.0\r\n\r\n`)))).toBe(INPUTS.length);
  });

  it('adversarial - the stream framer, given a long head in small chunks', () => {
    expect(
      survivesAll((v) => {
        const framer = new StreamFramer(256 * 1024, () => undefined, () => undefined);
        const bytes = Buffer.from(request('From', v));
        for (let i = 0; i < bytes.length; i += 16 * 1024) framer.push(bytes.subarray(i, i + 16 * 1024));
      }),
    ).toBe(INPUTS.length);
  });
});
