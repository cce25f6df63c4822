import { DEFAULT_DIGEST_AUTH } from '@presence/edge';
import type { SipResponse } from '@presence/sip';
import { createTestUa, FakeClock, metricValue, type TestUa } from '@presence/testkit';
import { DOMAIN } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it } from 'vitest';
import { startStandaloneTarget, suiteEdgeConfig, type StandaloneTarget } from './standalone-target.js';

const LIFETIME_MS = 300_000;
const LOCKOUT = { maxFailures: 3, lockoutMs: 60_000 };

/**
 * Time in digest authentication, over real UDP sockets to an in-process
 * standalone server whose clock is a FakeClock: nonces expire, lockouts end.
 * Only REGISTER is used (the registrar needs no agent, whose leases would
 * lapse when the clock jumps).
 */
describe('standalone authentication over time', () => {
  let target: StandaloneTarget | undefined;
  const agents: TestUa[] = [];
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((ua) => ua.close()));
    await target?.stop();
    target = undefined;
  });

  async function start(clock: FakeClock): Promise<StandaloneTarget> {
    const auth = { ...DEFAULT_DIGEST_AUTH, nonceLifetimeMs: LIFETIME_MS, lockout: LOCKOUT };
    target = await startStandaloneTarget({ auth: 'digest', clock, edge: suiteEdgeConfig({ auth }) });
    return target;
  }

  /** A user (password "right") and a UA answering challenges with `password` (none: challenges are returned). */
  async function ua(server: StandaloneTarget, name: string, password?: string, reuseNonce = true): Promise<TestUa> {
    const aor = `sip:${name}@${DOMAIN}`;
    await server.addUser!(aor, 'right');
    const credentials = password === undefined ? undefined : { password, reuseNonce };
    const agent = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: server.port('udp') }, aor, credentials });
    agents.push(agent);
    return agent;
  }

  const metric = async (name: string, labels: Record<string, string>) => metricValue(await target!.server.metrics.render(), name, labels);
  const stale = (response: SipResponse) => response.headerLines('www-authenticate').map((line) => /stale=true/.test(line));

  it('auth clock - an expired nonce gets 401 stale=true, and the UA answering the new challenge is served', async () => {
    const clock = new FakeClock();
    const server = await start(clock);
    const alice = await ua(server, 'alice', 'right');
    expect((await alice.request('REGISTER', { expires: 60 })).status).toBe(200);
    expect((await alice.request('REGISTER', { expires: 60 })).status).toBe(200);
    expect(await metric('presence_auth_challenges_total', { reason: 'missing' })).toBe(1);

    clock.advance(LIFETIME_MS);
    // The UA sends its held nonce, now expired: stale=true, answered without asking for the password again.
    expect((await alice.request('REGISTER', { expires: 60 })).status).toBe(200);
    expect(await metric('presence_auth_challenges_total', { reason: 'stale' })).toBe(1);
    expect(await metric('presence_auth_successes_total', { algorithm: 'SHA-256' })).toBe(3);
    expect(await metric('presence_auth_failures_total', { reason: 'credentials' })).toBe(0);

    const bare = await ua(server, 'bob');
    const first = await bare.request('REGISTER', { expires: 60 });
    expect(stale(first)).toEqual([false, false]);
  });

  it('auth clock - after the failures allowed a source gets 403 without a challenge, even with the right password, until the lockout ends', async () => {
    const clock = new FakeClock();
    const server = await start(clock);
    // One wrong answer per request: the nonce of a refused answer is not sent again.
    const guesser = await ua(server, 'carol', 'wrong', false);
    for (let i = 0; i < LOCKOUT.maxFailures; i++) expect((await guesser.request('REGISTER', { expires: 60 })).status).toBe(401);
    expect(await metric('presence_auth_failures_total', { reason: 'credentials' })).toBe(LOCKOUT.maxFailures);

    const dave = await ua(server, 'dave', 'right');
    const refused = await dave.request('REGISTER', { expires: 60 });
    expect([refused.status, refused.reason]).toEqual([403, 'Too many failed authentications']);
    expect(refused.headerLines('www-authenticate')).toEqual([]);
    expect(await metric('presence_auth_lockouts_total', { scope: 'source' })).toBe(1);
    expect((await dave.request('OPTIONS', { uri: `sip:${DOMAIN}` })).status).toBe(200);

    clock.advance(LOCKOUT.lockoutMs - 1);
    expect((await dave.request('REGISTER', { expires: 60 })).status).toBe(403);
    // The lockout ends a lockout period after the last failure; this edge re-reads the count within a second.
    clock.advance(1001);
    expect((await dave.request('REGISTER', { expires: 60 })).status).toBe(200);
    expect(await metric('presence_auth_lockouts_total', { scope: 'source' })).toBe(2);
  });
});
