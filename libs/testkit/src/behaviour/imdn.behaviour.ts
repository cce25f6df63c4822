import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './harness.js';

const CPIM = { headers: { 'Content-Type': 'message/cpim' } };

/** A message/cpim body from `from` to `to`, with extra CPIM message headers. */
function cpim(from: string, to: string, extra: string, text: string): string {
  return `From: <${from}>\r\nTo: <${to}>\r\nNS: imdn <urn:ietf:params:imdn>\r\n${extra}DateTime: 2026-11-29T22:00:00Z\r\n\r\nContent-Type: text/plain\r\n\r\n${text}`;
}

/**
 * IMDN (RFC 5438): the server tells the sender of a stored message that
 * asked for it that the message was stored; the recipient's own delivery
 * and display notifications are MESSAGEs, routed back like any other.
 */
export function imdnBehaviour(ctx: SuiteContext): void {
  describe('IMDN', () => {
    it('imdn - a stored message asking for processing or positive-delivery notices brings its sender a "stored" processing notification; the recipient\'s delivery notification is routed back', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      expect((await alice.request('REGISTER', { expires: 300 })).status).toBe(200);
      const asking = cpim(alice.aor, bob.aor, 'imdn.Message-ID: m-1\r\nimdn.Disposition-Notification: positive-delivery, display\r\n', 'are you there?');
      expect((await alice.sendMessage(bob.aor, asking, CPIM)).status).toBe(202);

      const notice = await alice.nextMessage({ timeoutMs: 5000 });
      expect(notice.contentType).toBe('message/cpim');
      expect(notice.from.uri).toBe(bob.aor);
      expect(notice.to.uri).toBe(alice.aor);
      expect(notice.body).toContain('Content-Type: message/imdn+xml');
      expect(notice.body).toContain('<message-id>m-1</message-id>');
      expect(notice.body).toMatch(/<processing-notification><status><stored\/><\/status><\/processing-notification>/);

      // Not asked (no Disposition-Notification): stored, no notice.
      expect((await alice.sendMessage(bob.aor, cpim(alice.aor, bob.aor, 'imdn.Message-ID: m-2\r\n', 'quietly'), CPIM)).status).toBe(202);

      expect((await bob.request('REGISTER', { expires: 300 })).status).toBe(200);
      expect((await bob.nextMessage({ timeoutMs: 5000 })).body).toContain('are you there?');
      expect((await bob.nextMessage({ timeoutMs: 5000 })).body).toContain('quietly');
      const delivered = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m-1</message-id><datetime>2026-11-29T22:00:00Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>`;
      const report = `From: <${bob.aor}>\r\nTo: <${alice.aor}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: d-1\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n\r\n${delivered}`;
      expect((await bob.sendMessage(alice.aor, report, CPIM)).status).toBe(200);
      expect((await alice.nextMessage({ timeoutMs: 5000 })).body).toContain('<delivered/>');
      expect(alice.messages).toHaveLength(2);
    });

    it('imdn - a notice for a sender without a binding is stored for it and reaches it when it registers', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      const asking = cpim(alice.aor, bob.aor, 'imdn.Message-ID: m-3\r\nimdn.Disposition-Notification: processing\r\n', 'later');
      expect((await alice.sendMessage(bob.aor, asking, CPIM)).status).toBe(202);
      expect((await alice.request('REGISTER', { expires: 300 })).status).toBe(200);
      const notice = await alice.nextMessage({ timeoutMs: 10_000 });
      expect(notice.body).toContain('<message-id>m-3</message-id>');
      expect(notice.body).toContain('<stored/>');
    });
  });
}
