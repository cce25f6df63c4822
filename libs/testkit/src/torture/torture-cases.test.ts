import { describe, expect, it } from 'vitest';
import { outcomeOf, TORTURE_CASES, type TortureWire } from './index.js';

const wire: TortureWire = { via: 'UDP', sentBy: '127.0.0.1:5999', id: 'fixture1', domain: 'example.com' };

describe('torture cases', () => {
  it('fixtures - every RFC 4475 message is there once, with a reason and an outcome per transport', () => {
    const names = TORTURE_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['wsinv', 'intmeth', 'esc01', 'escnull', 'esc02', 'lwsdisp', 'longreq', 'dblreq', 'semiuri', 'transports', 'mpart01', 'unreason', 'noreason',
      'badinv01', 'clerr', 'ncl', 'scalar02', 'scalarlg', 'quotbal', 'ltgtruri', 'lwsruri', 'lwsstart', 'trws', 'escruri', 'baddate', 'regbadct', 'badaspec', 'baddn', 'badvers', 'mismatch01', 'mismatch02', 'bigcode',
      'badbranch', 'insuf', 'unkscm', 'novelsc', 'unksm2', 'bext01', 'invut', 'regaut01', 'multi01', 'mcl01', 'bcast', 'zeromf', 'cparam01', 'cparam02', 'regescrt', 'sdp01', 'inv2543']) {
      expect(names, name).toContain(name);
    }
    for (const test of TORTURE_CASES) {
      expect(test.why, test.name).toMatch(/RFC|§/);
      for (const transport of test.transports) expect(outcomeOf(test, transport), `${test.name} ${transport}`).toBeDefined();
    }
  });

  it('fixtures - each message carries its unique id, has a blank line ending its head and no Content-Length left to fill', () => {
    for (const test of TORTURE_CASES) {
      const bytes = test.message(wire);
      const text = bytes.toString('latin1');
      expect(text.indexOf('\r\n\r\n'), test.name).toBeGreaterThan(0);
      expect(text, test.name).not.toMatch(/^(content-length|l)\s*:\s*\*\r$/im);
      expect(text, test.name).toContain(wire.id);
    }
  });

  it('fixtures - Content-Length: * becomes the byte length of the body', () => {
    const mpart01 = TORTURE_CASES.find((c) => c.name === 'mpart01')!.message(wire);
    const head = mpart01.subarray(0, mpart01.indexOf('\r\n\r\n')).toString('utf8');
    const length = Number(/Content-Length: (\d+)/.exec(head)?.[1]);
    expect(length).toBe(mpart01.length - mpart01.indexOf('\r\n\r\n') - 4);
  });
});
