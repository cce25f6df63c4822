import { parseAuthHeader, type SipResponse } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import { DigestClient } from '../test-ua/digest-client.js';
import type { TestUa } from '../test-ua/test-ua.js';
import { DOMAIN, pidf, publish, type SuiteContext } from './harness.js';

/** The challenges of a 401 as [algorithm, directives] pairs, in header order. */
function challenges(response: SipResponse): [string | undefined, ReadonlyMap<string, string>][] {
  return response.headerLines('www-authenticate').map((line) => {
    const header = parseAuthHeader(line);
    expect(header.scheme).toBe('Digest');
    return [header.params.get('algorithm'), header.params];
  });
}

/** RFC 7616 §3.3 challenges as we send them: SHA-256 then MD5 (RFC 8760 §2.4), one nonce and opaque, qop auth, the domain as realm. */
function expectChallenge(response: SipResponse, { stale = false } = {}): void {
  expect(response.status).toBe(401);
  const offered = challenges(response);
  expect(offered.map(([algorithm]) => algorithm)).toEqual(['SHA-256', 'MD5']);
  for (const [, params] of offered) {
    expect(params.get('realm')).toBe(DOMAIN);
    expect(params.get('qop')).toBe('auth');
    expect(params.get('nonce')).toBe(offered[0]![1].get('nonce'));
    expect(params.get('opaque')).toMatch(/^\S+$/);
    expect(params.get('stale')).toBe(stale ? 'true' : undefined);
  }
}

/**
 * Digest authentication at the edge, over the suite's transport: what is
 * challenged, what is accepted, and who may act for which AOR. Runs against
 * targets that authenticate (PresenceTarget.addUser).
 */
export function authBehaviour(ctx: SuiteContext): void {
  describe('authentication', () => {
    /** A fresh out-of-dialog request of `ua`, sent once (no credentials added, a 401 returned). */
    const once = (ua: TestUa, method: string, uri: string, headers: Record<string, string> = {}) =>
      ua.sendOnce(
        method,
        uri,
        {
          From: `<${ua.aor}>;tag=t${Math.floor(Math.random() * 1e9)}`,
          To: `<${method === 'REGISTER' ? ua.aor : uri}>`,
          'Call-ID': `auth-${Math.random()}`,
          CSeq: `1 ${method}`,
          Contact: `<${ua.contact}>`,
          Event: 'presence',
          ...headers,
        },
        ua.serverUri,
      );

    it('auth - REGISTER, PUBLISH and SUBSCRIBE without credentials get 401 with a SHA-256 and an MD5 challenge; OPTIONS is served', async () => {
      const ua = await ctx.ua('anon', { credentials: null });
      expectChallenge(await ua.request('REGISTER', { expires: 60 }));
      expectChallenge(await publish(ua, ua.aor, { body: pidf(ua.aor, [{ id: 't', basic: 'open' }]), expires: 60 }));
      expectChallenge((await ua.subscribe(ua.aor, { expires: 60 })).response);
      expect((await ua.request('OPTIONS', { uri: `sip:${DOMAIN}` })).status).toBe(200);
    });

    it.each(['SHA-256', 'MD5'] as const)('auth - the user\'s password is accepted with %s', async (algorithm) => {
      const ua = await ctx.ua('alg', { credentials: { algorithm, reuseNonce: false } });
      expect((await ua.request('REGISTER', { expires: 60 })).status).toBe(200);
      expect((await publish(ua, ua.aor, { body: pidf(ua.aor, [{ id: 't', basic: 'open' }]), expires: 60 })).status).toBe(200);
    });

    it('auth - a wrong password gets a fresh 401, and an unknown user exactly the same answer', async () => {
      const alice = await ctx.ua('alice', { credentials: { password: 'wrong' } });
      const unknown = await ctx.ua('ghost', { credentials: { username: `nobody-${process.pid}` } });
      const wrong = await alice.request('REGISTER', { expires: 60 });
      const nobody = `sip:nobody-${process.pid}@${DOMAIN}`;
      const ghost = await unknown.request('REGISTER', { expires: 60, headers: { From: `<${nobody}>;tag=g`, To: `<${nobody}>` } });
      for (const response of [wrong, ghost]) {
        expectChallenge(response);
        expect(response.reason).toBe('Unauthorized');
      }
      expect(challenges(wrong)[0]![1].get('nonce')).not.toBe(challenges(ghost)[0]![1].get('nonce'));
    });

    it('auth - PUBLISH for another AOR, REGISTER of another AOR and a SUBSCRIBE with another From are 403', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      const publishing = await publish(alice, bob.aor, { body: pidf(bob.aor, [{ id: 't', basic: 'open' }]), expires: 60 });
      expect([publishing.status, publishing.reason]).toEqual([403, 'Request-URI is not the authenticated user']);
      const registering = await alice.request('REGISTER', { expires: 60, headers: { To: `<${bob.aor}>`, From: `<${bob.aor}>;tag=x` } });
      expect([registering.status, registering.reason]).toEqual([403, 'To is not the authenticated user']);
      // alice answers as herself while claiming to be bob
      const subscribing = await alice.subscribe(alice.aor, { expires: 60, headers: { From: `<${bob.aor}>;tag=x` } });
      expect([subscribing.response.status, subscribing.response.reason]).toEqual([403, 'From is not the authenticated user']);
      expect((await publish(bob, bob.aor, { body: pidf(bob.aor, [{ id: 't', basic: 'open' }]), expires: 60 })).status).toBe(200);
    });

    it('auth - refreshing or ending a subscription takes its watcher: unauthenticated 401, another user 403, the watcher 200', async () => {
      const presentity = ctx.aor('presentity');
      const watcher = await ctx.ua('watcher');
      const mallory = await ctx.ua('mallory');
      const { dialog } = await watcher.subscribe(presentity, { expires: 600 });
      await dialog.nextNotify();
      const inDialog = (ua: TestUa, from: string, cseq: number) => ({
        From: `<${from}>;tag=${dialog.localTag}`,
        To: `<${presentity}>;tag=${dialog.remoteTag!}`,
        'Call-ID': dialog.callId,
        CSeq: `${cseq} SUBSCRIBE`,
        Contact: `<${ua.contact}>`,
        Event: 'presence',
        Expires: '0',
      });
      expectChallenge(await watcher.sendOnce('SUBSCRIBE', dialog.remoteTarget, inDialog(watcher, watcher.aor, 100), watcher.serverUri));
      // On a cluster mallory may reach another edge, which would adopt the dialog from its mirror: refused before that.
      const hijack = await mallory.send('SUBSCRIBE', dialog.remoteTarget, inDialog(mallory, mallory.aor, 101), mallory.serverUri);
      expect([hijack.status, hijack.reason]).toEqual([403, 'Not the watcher of this subscription']);
      expect((await dialog.refresh(600)).status).toBe(200);
      expect((await dialog.unsubscribe()).status).toBe(200);
    });

    it('auth - a malformed Authorization is 400 naming the problem', async () => {
      const ua = await ctx.ua('bad', { credentials: null });
      const cases: [string, string][] = [
        ['Digest username="a', 'Malformed Authorization: malformed quoted-string in username'],
        ['Digest username=a b', 'Malformed Authorization: junk after username'],
        [`Digest username="a", realm="${DOMAIN}", nonce="n", uri="sip:${DOMAIN}", response="00"`, 'Malformed Authorization: qop=auth required'],
        [
          `Digest username="a", realm="${DOMAIN}", nonce="n", uri="sip:${DOMAIN}", qop=auth, nc=1, cnonce="c", response="00"`,
          'Malformed Authorization: nc must be 8 hex digits',
        ],
      ];
      for (const [authorization, reason] of cases) {
        const response = await once(ua, 'REGISTER', `sip:${DOMAIN}`, { Authorization: authorization });
        expect([response.status, response.reason], authorization).toEqual([400, reason]);
      }
    });

    it('auth - an Authorization sent again (a replayed nonce count) is refused with stale=true', async () => {
      const ua = await ctx.ua('replay', { credentials: null });
      const client = new DigestClient({ password: ctx.passwordOf(ua.aor) }, ua.aor.slice(4, ua.aor.indexOf('@')));
      const challenged = await once(ua, 'REGISTER', `sip:${DOMAIN}`);
      const authorization = client.answer(challenged, 'REGISTER', `sip:${DOMAIN}`)!;
      expect((await once(ua, 'REGISTER', `sip:${DOMAIN}`, { Authorization: authorization, Expires: '60' })).status).toBe(200);
      const replayed = await once(ua, 'REGISTER', `sip:${DOMAIN}`, { Authorization: authorization, Expires: '60' });
      expectChallenge(replayed, { stale: true });
      const next = client.preemptive('REGISTER', `sip:${DOMAIN}`)!;
      expect((await once(ua, 'REGISTER', `sip:${DOMAIN}`, { Authorization: next, Expires: '60' })).status).toBe(200);
    });
  });
}
