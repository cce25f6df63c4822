import { describe, expect, it } from 'vitest';
import { DOMAIN, type SuiteContext } from './harness.js';

/**
 * Page-mode MESSAGE (RFC 3428, issue #13): online delivery to every
 * contact wherever its flow lives (user agents are spread over the edges,
 * so in a cluster sender and recipient usually sit on different ones),
 * store-and-forward for a recipient without a binding, and the errors.
 */
export function messageBehaviour(ctx: SuiteContext): void {
  describe('MESSAGE', () => {
    it('message - delivered to the registered recipient with From, To, Call-ID, Date and body unchanged; the sender gets 200', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      expect((await bob.request('REGISTER', { expires: 300 })).status).toBe(200);
      const date = 'Sun, 29 Nov 2026 10:00:00 GMT';
      const response = await alice.sendMessage(bob.aor, 'hello bob ✓', { headers: { 'Call-ID': `im-${bob.aor}`, Date: date } });
      expect(response.status).toBe(200);
      const received = await bob.nextMessage();
      expect(received.body).toBe('hello bob ✓');
      expect(received.from.uri).toBe(alice.aor);
      expect(received.to.uri).toBe(bob.aor);
      expect(received.callId).toBe(`im-${bob.aor}`);
      expect(received.header('date')).toBe(date);
      expect(received.contentType).toBe('text/plain');
      expect(received.maxForwards).toBe(69);
    });

    it('message - a body of any bytes (all 256 octets, invalid UTF-8) arrives byte for byte, online and after store + REGISTER; Content-Length counts bytes', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      const octets = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
      const binary = { headers: { 'Content-Type': 'application/octet-stream' } };
      expect((await alice.sendMessage(bob.aor, octets, binary)).status).toBe(202);
      expect((await bob.request('REGISTER', { expires: 300 })).status).toBe(200);
      const stored = await bob.nextMessage({ timeoutMs: 10_000 });
      expect(Buffer.compare(stored.bodyBytes, octets), 'stored, then delivered on REGISTER').toBe(0);
      expect(stored.header('content-length')).toBe('256');
      expect(stored.contentType).toBe('application/octet-stream');
      expect([200, 202]).toContain((await alice.sendMessage(bob.aor, octets, binary)).status);
      const online = await bob.nextMessage({ timeoutMs: 10_000 });
      expect(Buffer.compare(online.bodyBytes, octets), 'delivered online').toBe(0);
      expect(online.header('content-length')).toBe('256');
    });

    it('message - forks to every contact: a 2xx from any wins, else the best failure (RFC 3261 §16.7)', async () => {
      const alice = await ctx.ua('alice');
      const phone = await ctx.ua('bob');
      const desk = await ctx.ua('bob', { deviceOf: phone.aor });
      await phone.request('REGISTER', { expires: 300 });
      expect((await desk.request('REGISTER', { expires: 300 })).headerValues('contact')).toHaveLength(2);
      desk.answerMessagesWith(486);
      phone.answerMessagesWith(202);
      // The UA's 2xx is passed on as 200: a 202 from the server means "stored".
      expect((await alice.sendMessage(phone.aor, 'one')).status).toBe(200);
      expect((await phone.nextMessage()).body).toBe('one');
      expect((await desk.nextMessage()).body).toBe('one');
      phone.answerMessagesWith(603);
      expect((await alice.sendMessage(phone.aor, 'two')).status).toBe(603);
      phone.answerMessagesWith(480);
      expect((await alice.sendMessage(phone.aor, 'three')).status).toBe(480);
    });

    it('message - a recipient without a binding: stored (202), then delivered in order with its Date when it registers', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      const count = 100;
      for (let n = 1; n <= count; n++) {
        const response = await alice.sendMessage(bob.aor, `offline ${n}`, { headers: { Date: `Sun, 29 Nov 2026 10:00:${String(n % 60).padStart(2, '0')} GMT` } });
        expect(response.status, `message ${n}`).toBe(202);
      }
      expect((await bob.request('REGISTER', { expires: 300 })).status).toBe(200);
      const bodies: string[] = [];
      for (let n = 1; n <= count; n++) {
        const received = await bob.nextMessage({ timeoutMs: 10_000 });
        bodies.push(received.body);
        if (n === 7) expect(received.header('date')).toBe('Sun, 29 Nov 2026 10:00:07 GMT');
      }
      expect(bodies).toEqual(Array.from({ length: count }, (_, i) => `offline ${i + 1}`));
      expect(new Set(bob.messages.map((m) => m.callId)).size).toBe(count);
      // A later MESSAGE comes after them (queued behind the last one if its removal is still under way: 202), and nothing stored comes again.
      expect([200, 202]).toContain((await alice.sendMessage(bob.aor, 'after')).status);
      expect((await bob.nextMessage({ timeoutMs: 5000 })).body).toBe('after');
      expect(bob.messages).toHaveLength(count + 1);
    });

    it('message - Max-Forwards 0 is 483, a recipient in a domain not served is 404 (no open relay)', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      await bob.request('REGISTER', { expires: 300 });
      expect((await alice.sendMessage(bob.aor, 'x', { headers: { 'Max-Forwards': '0' } })).status).toBe(483);
      expect((await alice.sendMessage('sip:someone@elsewhere.example.org', 'relay me')).status).toBe(404);
      expect(bob.messages).toHaveLength(0);
      expect(DOMAIN).toBe('example.com');
    });

    it('message - isComposing (RFC 3994) is delivered live but never stored; a malformed message/cpim is 400 naming the problem', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      const composing = '<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>';
      const indication = { headers: { 'Content-Type': 'application/im-iscomposing+xml' } };
      const offline = await alice.sendMessage(bob.aor, composing, indication);
      expect(offline.status).toBe(480);
      expect(offline.reason).toMatch(/never stored/);
      const cpim = (from: string) => `${from}To: <${bob.aor}>\r\nDateTime: 2026-11-29T22:00:00Z\r\n\r\nContent-Type: text/plain\r\n\r\nhi in cpim`;
      const malformed = await alice.sendMessage(bob.aor, cpim(''), { headers: { 'Content-Type': 'message/cpim' } });
      expect(malformed.status).toBe(400);
      expect(malformed.reason).toBe('Malformed message/cpim: no From message header');
      await bob.request('REGISTER', { expires: 300 });
      expect((await alice.sendMessage(bob.aor, composing, indication)).status).toBe(200);
      expect((await bob.nextMessage()).contentType).toBe('application/im-iscomposing+xml');
      expect((await alice.sendMessage(bob.aor, cpim(`From: <${alice.aor}>\r\n`), { headers: { 'Content-Type': 'message/cpim' } })).status).toBe(200);
      expect((await bob.nextMessage()).body).toContain('hi in cpim');
      expect(bob.messages).toHaveLength(2);
    });

    it('message - a To tag (no dialog here) is 481; Expires (RFC 3428) is checked, passed on, and an already stale message is not stored', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      expect((await alice.sendMessage(bob.aor, 'in a dialog?', { headers: { To: `<${bob.aor}>;tag=nodialog` } })).status).toBe(481);
      expect((await alice.sendMessage(bob.aor, 'x', { headers: { Expires: 'soon' } })).status).toBe(400);
      const stale = await alice.sendMessage(bob.aor, 'stale at once', { headers: { Expires: '0' } });
      expect(stale.status).toBe(480);
      expect(stale.reason).toMatch(/Expires: 0/);
      expect((await alice.sendMessage(bob.aor, 'keeps an hour', { headers: { Expires: '3600' } })).status).toBe(202);
      expect((await bob.request('REGISTER', { expires: 300 })).status).toBe(200);
      expect((await bob.nextMessage({ timeoutMs: 10_000 })).body).toBe('keeps an hour');
      expect([200, 202]).toContain((await alice.sendMessage(bob.aor, 'live', { headers: { Expires: '60' } })).status);
      const live = await bob.nextMessage({ timeoutMs: 10_000 });
      expect(live.body).toBe('live');
      expect(live.header('expires')).toBe('60');
      expect(bob.messages).toHaveLength(2);
    });

    // Not a case over UDP: a body over 64 KiB cannot be one datagram, so a UA sends it over TCP (RFC 3261 §18.1.1).
    if (ctx.transport !== 'udp') it('message - a body over the maximum (64 KiB) is 413', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      await bob.request('REGISTER', { expires: 300 });
      expect((await alice.sendMessage(bob.aor, 'x'.repeat(65_537))).status).toBe(413);
      expect((await alice.sendMessage(bob.aor, 'y'.repeat(20_000))).status).toBe(200);
      expect(bob.messages.map((m) => m.body.length)).toEqual([20_000]);
      // At the cap it passes the server; the test UA's own stack takes no message over 64 KiB (513, or a WS connection closed: 500).
      expect((await alice.sendMessage(bob.aor, 'x'.repeat(65_536))).status).not.toBe(413);
    });
  });
}

/** With digest authentication: nobody sends as another user. */
export function authenticatedMessageBehaviour(ctx: SuiteContext): void {
  it('message - a From other than the authenticated user is 403', async () => {
    const alice = await ctx.ua('alice');
    const bob = await ctx.ua('bob');
    await bob.request('REGISTER', { expires: 300 });
    const forged = await alice.sendMessage(bob.aor, 'as carol', { headers: { From: `<${ctx.aor('carol')}>;tag=f1` } });
    expect(forged.status).toBe(403);
    expect(bob.messages).toHaveLength(0);
  });
}
