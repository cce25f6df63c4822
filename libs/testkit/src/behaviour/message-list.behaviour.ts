import { describe, expect, it } from 'vitest';
import { DOMAIN, type SuiteContext } from './harness.js';

const EXPLODER = `sip:exploder@${DOMAIN}`;
const LIST_HEADERS = { 'Content-Type': 'multipart/mixed;boundary=next-part', Require: 'recipient-list-message' };

/** A recipient-list MESSAGE body (RFC 5365 §4): the message part, then the URI list part. */
function listBody(message: { type: string; text: string }, entries: ReadonlyArray<{ uri: string; copyControl?: string; anonymize?: boolean }>, listType = 'application/resource-lists+xml'): string {
  const list = entries.map((entry) => `<entry uri="${entry.uri}"${entry.copyControl ? ` cp:copyControl="${entry.copyControl}"` : ''}${entry.anonymize ? ' cp:anonymize="true"' : ''}/>`).join('');
  return [
    '--next-part',
    `Content-Type: ${message.type}`,
    '',
    message.text,
    '--next-part',
    `Content-Type: ${listType}`,
    'Content-Disposition: recipient-list',
    '',
    `<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:cp="urn:ietf:params:xml:ns:copycontrol"><list>${list}</list></resource-lists>`,
    '--next-part--',
    '',
  ].join('\r\n');
}

/**
 * Multi-recipient MESSAGE (RFC 5365) through sip:exploder@<domain>: one copy
 * per recipient, online or stored, each carrying the list without its bcc
 * entries; a recipient that cannot get it reported by an IMDN negative
 * delivery notification when asked for; malformed requests refused.
 */
export function messageListBehaviour(ctx: SuiteContext): void {
  describe('multi-recipient MESSAGE', () => {
    // Over UDP a copy (message, list, headers) passes the 1300-byte limit of RFC 3261 §18.1.1 and is 513 without a TCP flow.
    // Not a case over UDP: a copy (message, recipient list, headers) passes the 1300-byte path-MTU bound, so it goes over TCP
    // (RFC 3261 §18.1.1), which a UDP test UA does not listen on; message-mtu.e2e covers that fallback and its 513.
    if (ctx.transport !== 'udp') it('message list - each recipient gets the message and the list without bcc entries, an offline one when it registers; a recipient not served is reported by an IMDN negative delivery', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      const carol = await ctx.ua('carol');
      const dave = await ctx.ua('dave');
      for (const ua of [alice, bob, dave]) expect((await ua.request('REGISTER', { expires: 300 })).status).toBe(200);
      const elsewhere = 'sip:erin@elsewhere.example.org';
      const cpim = `From: <${alice.aor}>\r\nTo: <${bob.aor}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: list-1\r\nimdn.Disposition-Notification: negative-delivery\r\n\r\nContent-Type: text/plain\r\n\r\nhello everyone`;
      const entries = [{ uri: bob.aor }, { uri: carol.aor, copyControl: 'cc', anonymize: true }, { uri: dave.aor, copyControl: 'bcc' }, { uri: elsewhere }];
      const response = await alice.sendMessage(EXPLODER, listBody({ type: 'message/cpim', text: cpim }, entries), { headers: LIST_HEADERS });
      expect(response.status).toBe(202);

      for (const ua of [bob, dave]) {
        const copy = await ua.nextMessage({ timeoutMs: 5000 });
        expect(copy.from.uri).toBe(alice.aor);
        expect(copy.to.uri).toBe(ua.aor);
        expect(copy.contentType).toBe('multipart/mixed');
        expect(copy.body).toContain('Content-Type: message/cpim');
        expect(copy.body).toContain('imdn.Message-ID: list-1\r\n');
        expect(copy.body).toContain('Content-Type: text/plain\r\n\r\nhello everyone');
        expect(copy.body).toContain('Content-Disposition: recipient-list-history');
        expect(copy.body).toContain(`<entry uri="${bob.aor}" cp:copyControl="to"/>`);
        // RFC 5364 §4 anonymize: carol is listed, as the anonymous URI.
        expect(copy.body).toContain('<entry uri="sip:anonymous@anonymous.invalid" cp:copyControl="cc"/>');
        expect(copy.body).not.toContain(carol.aor);
        expect(copy.body).not.toContain(dave.aor);
      }
      const failed = await alice.nextMessage({ timeoutMs: 5000 });
      expect(failed.from.uri).toBe(elsewhere);
      expect(failed.body).toContain('<message-id>list-1</message-id>');
      expect(failed.body).toContain('<delivery-notification><status><failed/></status></delivery-notification>');

      expect((await carol.request('REGISTER', { expires: 300 })).status).toBe(200);
      expect((await carol.nextMessage({ timeoutMs: 5000 })).body).toContain('hello everyone');
      expect([bob, carol, dave].map((ua) => ua.messages.length)).toEqual([1, 1, 1]);
    });

    it('message list - refused whole: no Require (421 + Require), Require to another URI (403), not multipart or a list format not read (415 + Accept), a malformed list (400 naming it)', async () => {
      const alice = await ctx.ua('alice');
      const bob = await ctx.ua('bob');
      await bob.request('REGISTER', { expires: 300 });
      const body = listBody({ type: 'text/plain', text: 'hi' }, [{ uri: bob.aor }]);
      const noRequire = await alice.sendMessage(EXPLODER, body, { headers: { 'Content-Type': LIST_HEADERS['Content-Type'] } });
      expect(noRequire.status).toBe(421);
      expect(noRequire.header('require')).toBe('recipient-list-message');
      expect((await alice.sendMessage(bob.aor, body, { headers: LIST_HEADERS })).status).toBe(403);
      // Only recipient-list-message is supported: any other required extension is still 420 (RFC 3261 §8.2.2.3).
      const other = await alice.sendMessage(EXPLODER, body, { headers: { ...LIST_HEADERS, Require: 'recipient-list-message, 100rel' } });
      expect(other.status).toBe(420);
      expect(other.header('unsupported')).toBe('100rel');
      const plain = await alice.sendMessage(EXPLODER, 'just text', { headers: { Require: 'recipient-list-message' } });
      expect(plain.status).toBe(415);
      expect(plain.header('accept')).toBe('multipart/mixed');
      const uriList = await alice.sendMessage(EXPLODER, listBody({ type: 'text/plain', text: 'hi' }, [{ uri: bob.aor }], 'text/uri-list'), { headers: LIST_HEADERS });
      expect(uriList.status).toBe(415);
      expect(uriList.header('accept')).toBe('application/resource-lists+xml');
      const broken = await alice.sendMessage(EXPLODER, body.replace('</list>', ''), { headers: LIST_HEADERS });
      expect(broken.status).toBe(400);
      expect(broken.reason).toMatch(/^Malformed recipient list/);
      const badControl = await alice.sendMessage(EXPLODER, listBody({ type: 'text/plain', text: 'hi' }, [{ uri: bob.aor, copyControl: 'everyone' }]), { headers: LIST_HEADERS });
      expect(badControl.status).toBe(400);
      expect(badControl.reason).toMatch(/copyControl/);
      const many = Array.from({ length: 101 }, (_, n) => ({ uri: `sip:user${n}@${DOMAIN}` }));
      expect((await alice.sendMessage(EXPLODER, listBody({ type: 'text/plain', text: 'hi' }, many), { headers: LIST_HEADERS })).status).toBe(400);
      expect(bob.messages).toHaveLength(0);
    });
  });
}
