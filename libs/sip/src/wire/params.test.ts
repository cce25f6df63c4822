import { describe, expect, it } from 'vitest';
import { parseParams } from './params.js';

describe('params', () => {
  it('params - names lower-cased, values trimmed, valueless ones null, last duplicate wins', () => {
    expect(parseParams(' ; Branch = z9hG4bK1 ;RPORT;received=10.0.0.1;x=a=b;;=v;rport=5', 0)).toEqual({
      branch: 'z9hG4bK1',
      rport: '5',
      received: '10.0.0.1',
      x: 'a=b',
    });
    expect(parseParams('SIP/2.0/UDP h', 0)).toEqual({});
  });

  it('params - quoted values keep their quotes and may hide ";" and "=" (with or without quotes elsewhere)', () => {
    expect(parseParams(';a="x;y=z";b=1;c="q\\";r";d', 0)).toEqual({ a: '"x;y=z"', b: '1', c: '"q\\";r"', d: null });
    expect(parseParams(';"n=1";m', 0)).toEqual({ '"n=1"': null, m: null });
    expect(parseParams(';a=1;b', 0)).toEqual({ a: '1', b: null });
  });

  it('params - __proto__ is never set', () => {
    for (const text of [';__proto__=x;a=1', ';__proto__;a=1', ';__proto__="x";a=1']) {
      const params = parseParams(text, 0);
      expect(Object.getPrototypeOf(params), text).toBe(Object.prototype);
      expect(params, text).toEqual({ a: '1' });
    }
  });
});
