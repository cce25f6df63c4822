import { Children } from '@presence/dev-tools';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type DigestRegistrar, startDigestRegistrar } from './digest-registrar.js';
import { runK6, value } from './k6-harness-runner.js';

/**
 * The scripts answer digest challenges when SIP_PASSWORD is set: here against
 * a stand-in registrar (digest-registrar.ts), since the presence server gets
 * --auth digest in another change; against the real server this is the same
 * run with -e SIP_PASSWORD.
 */
describe('k6 scripts answer digest challenges', () => {
  const children = new Children();
  let registrar: DigestRegistrar | undefined;
  afterEach(async () => registrar?.close());
  afterAll(() => children.killAll());

  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    it(`${algorithm}, qop=auth - every REGISTER authenticated; the nonce is reused with the next nc`, async () => {
      registrar = await startDigestRegistrar(algorithm, 'secret');
      const run = await runK6(children, 'loadtest/k6/registration-storm.ts', { SIP_URL: registrar.url, SIP_DOMAIN: 'k6.test', SIP_PASSWORD: 'secret', VUS: '2', ITERATIONS: '2' });
      expect(run.code, run.stderr).toBe(0);
      expect(value(run, 'sip_registers_ok', 'count')).toBe(4);
      expect(value(run, 'sip_unregisters_ok', 'count')).toBe(4);
      // One challenge per connection: the unREGISTER reuses its nonce (nc=2) without a new 401.
      expect(registrar.counts).toEqual({ challenged: 4, accepted: 8, refused: 0 });
    });
  }

  it('a wrong password is refused (403) and fails the error-rate threshold', async () => {
    registrar = await startDigestRegistrar('SHA-256', 'secret');
    const run = await runK6(children, 'loadtest/k6/registration-storm.ts', { SIP_URL: registrar.url, SIP_DOMAIN: 'k6.test', SIP_PASSWORD: 'wrong', VUS: '1', ITERATIONS: '2' });
    expect(run.code).toBe(99);
    expect(registrar.counts).toEqual({ challenged: 2, accepted: 0, refused: 2 });
  });
});
