import { describe, expect, it } from 'vitest';
import { fuzzRun } from './fuzz-run.js';
import { serverErrors } from './socket-fuzz.js';

const response = (start: string, method: string) => `${start}\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\nCSeq: 7 ${method}\r\nContent-Length: 0\r\n\r\n`;

describe('fuzz oracle', () => {
  it('oracle - a 5xx is a server error unless RFC 3261 requires it', () => {
    const allowed = [
      response('SIP/2.0 505 Version Not Supported', 'OPTIONS'),
      response('SIP/2.0 513 Message Too Large', 'PUBLISH'),
      response('SIP/2.0 501 Not Implemented', 'FOO'),
      response('SIP/2.0 500 Out of order CSeq', 'SUBSCRIBE'),
      response('SIP/2.0 200 OK', 'OPTIONS'),
      response('SIP/2.0 400 Malformed CSeq', 'OPTIONS'),
    ];
    expect(serverErrors(allowed)).toEqual([]);
    const flagged = [
      response('SIP/2.0 500 Server Internal Error', 'SUBSCRIBE'),
      response('SIP/2.0 501 Not Implemented', 'PUBLISH'),
      response('SIP/2.0 503 Service Unavailable', 'REGISTER'),
      response('SIP/2.0 500 Out of order CSeqs', 'SUBSCRIBE'),
    ];
    expect(serverErrors(flagged)).toEqual(flagged);
  });

  it('oracle - fixed seed and count in the suites; npm run fuzz shifts the seed and scales the count', () => {
    expect(fuzzRun(42, 100, {})).toEqual({ seed: 42, numRuns: 100 });
    expect(fuzzRun(42, 100, { FUZZ_SEED: '1000', FUZZ_SCALE: '2.5' })).toEqual({ seed: 1042, numRuns: 250 });
    expect(fuzzRun(42, 100, { FUZZ_SCALE: 'lots' })).toEqual({ seed: 42, numRuns: 100 });
    expect(fuzzRun(42, 3, { FUZZ_SCALE: '0.01' })).toEqual({ seed: 42, numRuns: 1 });
  });
});
