import { BadRequestError } from '@presence/core';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multipartBoundary, splitMultipart } from './multipart.js';

describe('multipart bodies (RFC 2046 §5.1)', () => {
  it('multipart - parts of any bytes split back exactly, whatever the preamble and epilogue', () => {
    const boundary = 'sep-42';
    const delimiter = Buffer.from(`\r\n--${boundary}`);
    const partBytes = fc.uint8Array({ maxLength: 200 }).filter((bytes) => Buffer.from(bytes).indexOf(delimiter) === -1 && !Buffer.from(bytes).toString('latin1').startsWith(`--${boundary}`));
    fc.assert(
      fc.property(fc.array(partBytes, { minLength: 1, maxLength: 5 }), fc.constantFrom('', 'preamble text\r\n'), (bodies, preamble) => {
        const chunks = bodies.flatMap((bytes, n) => [Buffer.from(`${n === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: application/x-${n}\r\n\r\n`), Buffer.from(bytes)]);
        const body = Buffer.concat([Buffer.from(preamble), ...chunks, Buffer.from(`\r\n--${boundary}--\r\nepilogue`)]);
        const parts = splitMultipart(body, boundary);
        expect(parts.map((part) => Buffer.from(part.body))).toEqual(bodies.map((bytes) => Buffer.from(bytes)));
        expect(parts.map((part) => part.headers.get('content-type'))).toEqual(bodies.map((_, n) => `application/x-${n}`));
      }),
      { numRuns: 300, seed: 2046 },
    );
  });

  it('multipart - a part without headers, folded header lines, and the boundary parameter quoted or not', () => {
    const parts = splitMultipart(Buffer.from('--b\r\n\r\nbare\r\n--b\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\nx\r\n--b--'), 'b');
    expect(parts.map((p) => [p.headerText, Buffer.from(p.body).toString()])).toEqual([['', 'bare'], ['Content-Type: text/plain;\r\n charset=utf-8', 'x']]);
    expect(parts[1]!.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(multipartBoundary('multipart/mixed; boundary="a b:c"')).toBe('a b:c');
    expect(multipartBoundary('multipart/mixed;boundary=abc;x=1')).toBe('abc');
    expect(multipartBoundary('multipart/mixed')).toBeUndefined();
  });

  it('multipart - refuses with 400 naming the problem: no delimiter, no close, a part without its blank line', () => {
    for (const [body, reason] of [
      ['no parts at all', /no --b delimiter/],
      ['--b\r\nContent-Type: text/plain\r\n\r\nnever closed', /no closing --b--/],
      ['--b\r\nContent-Type: text/plain\r\n--b--', /without the blank line/],
      ['--bogus\r\n\r\nx\r\n--b--', /delimiter line goes on/],
    ] as const) {
      const error = (() => {
        try {
          return splitMultipart(Buffer.from(body), 'b');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, body).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).reason, body).toMatch(reason);
    }
  });
});
