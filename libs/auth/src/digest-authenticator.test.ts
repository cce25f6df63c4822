import type { DigestAlgorithm, Store } from '@presence/core';
import { createMemoryStore } from '@presence/store';
import { FakeClock } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { digestAnswer } from './digest-answer.js';
import { DigestAuthenticator, type DigestChallenge, type DigestOutcome } from './digest-authenticator.js';
import { MalformedCredentialsError } from './digest-credentials.js';
import { ha1ForAll } from './digest-hash.js';
import { FailureLedger } from './failure-ledger.js';
import { NonceKeys } from './nonce-keys.js';

const REALM = 'example.com';
const LIFETIME = 300_000;
const LOCKOUT = { maxFailures: 3, lockoutMs: 60_000 };

describe('digest authenticator', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  /** An authenticator (an edge) over a memory store on a fake clock, with alice (password "secret") in it. */
  async function setup(shared?: { store: Store; clock: FakeClock }) {
    const clock = shared?.clock ?? new FakeClock();
    const store = shared?.store ?? (await createMemoryStore({ clock }));
    if (!shared) {
      stores.push(store);
      await store.putUser({ aor: 'sip:alice@example.com', username: 'alice', realm: REALM, ha1: ha1ForAll('alice', REALM, 'secret'), enabled: true });
    }
    const keys = new NonceKeys({ load: () => store.nonceKey(), lifetimeMs: LIFETIME }, clock);
    const failures = new FailureLedger(store, clock, LOCKOUT);
    const authenticator = new DigestAuthenticator({ users: store, nonceCounts: store, keys, failures, clock });
    let cnonce = 0;
    const attempt = (credentials?: ReadonlyMap<string, string>, source = '192.0.2.1') =>
      authenticator.authenticate({ method: 'REGISTER', realm: REALM, domain: 'example.com', credentials, source });
    /** Answers `challenge` as a UA would: username, password, nonce count. */
    const answer = (challenge: DigestChallenge, { username = 'alice', password = 'secret', nc = 1, method = 'REGISTER' } = {}) =>
      new Map(
        digestAnswer({ ...challenge, username, password, method, uri: 'sip:example.com', nc, cnonce: `c${++cnonce}` }).map((d) => [d.name, d.value]),
      );
    const challenge = async (source?: string): Promise<readonly DigestChallenge[]> => challengesOf(await attempt(undefined, source));
    return { clock, store, attempt, answer, challenge };
  }

  it('authenticator - no credentials: one challenge per algorithm, SHA-256 first, same nonce and opaque, qop auth', async () => {
    const { challenge } = await setup();
    const [sha, md5] = await challenge();
    expect([sha!.algorithm, md5!.algorithm]).toEqual(['SHA-256', 'MD5']);
    expect(sha).toMatchObject({ realm: REALM, qop: 'auth', stale: false, nonce: md5!.nonce, opaque: md5!.opaque });
  });

  it.each(['SHA-256', 'MD5'] as DigestAlgorithm[])('authenticator - the right password with %s authenticates the user', async (algorithm) => {
    const { attempt, answer, challenge } = await setup();
    const offered = (await challenge()).find((c) => c.algorithm === algorithm)!;
    expect(await attempt(answer(offered))).toEqual({ outcome: 'authenticated', aor: 'sip:alice@example.com', algorithm });
  });

  it('authenticator - a wrong password, an unknown user and a disabled user get the same fresh challenge', async () => {
    const { store, attempt, answer, challenge } = await setup();
    await store.putUser({ aor: 'sip:carol@example.com', username: 'carol', realm: REALM, ha1: ha1ForAll('carol', REALM, 'pw'), enabled: false });
    await store.putUser({ aor: 'sip:dave@example.com', username: 'dave', realm: 'elsewhere', ha1: ha1ForAll('dave', 'elsewhere', 'pw'), enabled: true });
    const [offered] = await challenge();
    const outcomes = [
      await attempt(answer(offered!, { password: 'wrong' })),
      await attempt(answer(offered!, { username: 'nobody' })),
      await attempt(answer(offered!, { username: 'carol', password: 'pw' })),
      await attempt(answer(offered!, { username: 'dave', password: 'pw' }), '192.0.2.2'),
    ];
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ outcome: 'challenged', reason: 'rejected' });
      expect(challengesOf(outcome).map((c) => c.stale)).toEqual([false, false]);
      expect(challengesOf(outcome)[0]!.nonce).not.toBe(offered!.nonce);
    }
  });

  it('authenticator - an expired nonce with the right password is stale; with a wrong one it is a failure; a new nonce then works', async () => {
    const { clock, attempt, answer, challenge } = await setup();
    const [offered] = await challenge();
    clock.advance(LIFETIME);
    expect(await attempt(answer(offered!, { password: 'wrong' }))).toMatchObject({ reason: 'rejected' });
    const stale = await attempt(answer(offered!));
    expect(stale).toMatchObject({ outcome: 'challenged', reason: 'stale' });
    expect(challengesOf(stale).map((c) => c.stale)).toEqual([true, true]);
    expect(await attempt(answer(challengesOf(stale)[0]!))).toMatchObject({ outcome: 'authenticated' });
  });

  it('authenticator - a nonce count used before is refused as stale (replay); a higher one is accepted', async () => {
    const { attempt, answer, challenge } = await setup();
    const [offered] = await challenge();
    const first = answer(offered!, { nc: 1 });
    expect(await attempt(first)).toMatchObject({ outcome: 'authenticated' });
    expect(await attempt(first)).toMatchObject({ outcome: 'challenged', reason: 'stale' });
    expect(await attempt(answer(offered!, { nc: 1 }))).toMatchObject({ reason: 'stale' });
    expect(await attempt(answer(offered!, { nc: 2 }))).toMatchObject({ outcome: 'authenticated' });
  });

  it('authenticator - a nonce one edge issued is accepted by another edge over the same store', async () => {
    const edgeA = await setup();
    const edgeB = await setup({ store: edgeA.store, clock: edgeA.clock });
    const [offered] = await edgeA.challenge();
    expect(await edgeB.attempt(edgeA.answer(offered!))).toMatchObject({ outcome: 'authenticated' });
    expect(await edgeA.attempt(edgeA.answer(offered!, { nc: 1 }))).toMatchObject({ reason: 'stale' });
  });

  /** The nonce with its last two characters changed: never the nonce itself (a fixed 'AA' was, 1 time in 4096). */
  const tampered = (nonce: string) => `${nonce.slice(0, -2)}${nonce.endsWith('AA') ? 'BB' : 'AA'}`;

  it('authenticator - a nonce or opaque that is not ours, or of another realm, gets a fresh challenge and counts no failure', async () => {
    const { attempt, answer, challenge } = await setup();
    const other = await setup();
    const [foreign] = await other.challenge();
    const [offered] = await challenge();
    const outcomes = [
      await attempt(answer(foreign!)),
      await attempt(answer({ ...offered!, opaque: 'not-ours' })),
      await attempt(answer({ ...offered!, nonce: tampered(offered!.nonce) })),
    ];
    for (const outcome of outcomes) expect(outcome).toMatchObject({ outcome: 'challenged', reason: 'foreign-nonce' });
    for (let i = 0; i < LOCKOUT.maxFailures; i++) expect(await attempt(answer(foreign!))).toMatchObject({ reason: 'foreign-nonce' });
    expect(await attempt(answer(offered!))).toMatchObject({ outcome: 'authenticated' });
  });

  it('authenticator - a source locked out after its failures is refused without a challenge, and recovers after the lockout', async () => {
    const { clock, attempt, answer, challenge } = await setup();
    const [offered] = await challenge();
    for (let i = 0; i < LOCKOUT.maxFailures; i++) {
      expect(await attempt(answer(offered!, { username: `guess${i}`, password: 'x' }))).toMatchObject({ reason: 'rejected' });
    }
    expect(await attempt(undefined)).toEqual({ outcome: 'locked-out', scope: 'source' });
    expect(await attempt(answer(offered!))).toEqual({ outcome: 'locked-out', scope: 'source' });
    expect(await attempt(answer(offered!), '192.0.2.7')).toMatchObject({ outcome: 'authenticated' });
    clock.advance(LOCKOUT.lockoutMs);
    const [fresh] = await challenge();
    expect(await attempt(answer(fresh!))).toMatchObject({ outcome: 'authenticated' });
  });

  it('authenticator - a user guessed at from many sources is locked out; a success before that clears its count', async () => {
    const { clock, attempt, answer, challenge } = await setup();
    const [offered] = await challenge();
    await attempt(answer(offered!, { password: 'x' }), '198.51.100.1');
    await attempt(answer(offered!, { password: 'y' }), '198.51.100.2');
    expect(await attempt(answer(offered!, { nc: 1 }), '198.51.100.3')).toMatchObject({ outcome: 'authenticated' });
    for (let i = 0; i < LOCKOUT.maxFailures; i++) await attempt(answer(offered!, { password: `z${i}` }), `198.51.100.${10 + i}`);
    clock.advance(1000);
    expect(await attempt(answer(offered!, { nc: 2 }), '198.51.100.99')).toEqual({ outcome: 'locked-out', scope: 'user' });
  });

  it('authenticator - malformed credentials throw, naming the directive', async () => {
    const { attempt, answer, challenge } = await setup();
    const [offered] = await challenge();
    const broken = answer(offered!);
    broken.delete('cnonce');
    await expect(attempt(broken)).rejects.toThrow(MalformedCredentialsError);
    await expect(attempt(broken)).rejects.toThrow('missing cnonce');
  });

  it('authenticator - with MD5 alone offered (UAs that answer only the first challenge) an MD5 answer works and SHA-256 is refused', async () => {
    const { store, clock } = await setup();
    const keys = new NonceKeys({ load: () => store.nonceKey(), lifetimeMs: LIFETIME }, clock);
    const md5Only = new DigestAuthenticator({ algorithms: ['MD5'], users: store, nonceCounts: store, keys, failures: new FailureLedger(store, clock, LOCKOUT), clock });
    const attempt = (credentials?: ReadonlyMap<string, string>) => md5Only.authenticate({ method: 'REGISTER', realm: REALM, domain: 'example.com', credentials, source: '192.0.2.1' });
    const offered = challengesOf(await attempt());
    expect(offered.map((c) => c.algorithm)).toEqual(['MD5']);
    const answer = (algorithm: DigestAlgorithm) =>
      new Map(digestAnswer({ ...offered[0]!, algorithm, username: 'alice', password: 'secret', method: 'REGISTER', uri: 'sip:example.com', nc: 1, cnonce: algorithm }).map((d) => [d.name, d.value]));
    await expect(attempt(answer('SHA-256'))).rejects.toThrow('algorithm SHA-256 not offered');
    expect(await attempt(answer('MD5'))).toMatchObject({ outcome: 'authenticated', algorithm: 'MD5' });
  });
});

function challengesOf(outcome: DigestOutcome): readonly DigestChallenge[] {
  if (outcome.outcome !== 'challenged') throw new Error(`expected a challenge, got ${JSON.stringify(outcome)}`);
  return outcome.challenges;
}
