import { describe, expect, it } from 'vitest';
import { MAX_EXPIRES, MIN_EXPIRES, pidf, publish, tuplesOf, type SuiteContext } from './harness.js';
import { sleep } from '@presence/dev-tools';

/** RFC 3903 PUBLISH for the presence package, and the safety of PIDF parsing. */
export function publishBehaviour(ctx: SuiteContext): void {
  describe('PUBLISH', () => {
    const open = (entity: string) => pidf(entity, [{ id: 't1', basic: 'open' }]);

    it('publish - an initial publication gets 200 with SIP-ETag and Expires', async () => {
      const ua = await ctx.ua('pub');
      const response = await publish(ua, ua.aor, { body: open(ua.aor), expires: 120 });
      expect(response.status).toBe(200);
      expect(response.header('sip-etag')).toMatch(/^\S+$/);
      expect(response.header('expires')).toBe('120');
    });

    it('publish - an initial publication without a body is 400', async () => {
      const ua = await ctx.ua('pub');
      const response = await publish(ua, ua.aor, { expires: 120 });
      expect(response.status).toBe(400);
      expect(response.reason).toMatch(/body/i);
    });

    it('publish - a refresh (SIP-If-Match, no body) gets a new entity-tag and the old one is then unknown', async () => {
      const ua = await ctx.ua('pub');
      const first = await publish(ua, ua.aor, { body: open(ua.aor), expires: 120 });
      const etag = first.header('sip-etag')!;
      const refresh = await publish(ua, ua.aor, { ifMatch: etag, expires: 300 });
      expect(refresh.status).toBe(200);
      expect(refresh.header('expires')).toBe('300');
      expect(refresh.header('sip-etag')).not.toBe(etag);
      expect((await publish(ua, ua.aor, { ifMatch: etag, expires: 300 })).status).toBe(412);
    });

    it('publish - modify replaces the state and removal (Expires 0) withdraws it, as watchers see', async () => {
      const ua = await ctx.ua('pub');
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(ua.aor, { expires: 600 });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual([]);
      const first = await publish(ua, ua.aor, { body: open(ua.aor), expires: 120 });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t1:open']);
      const modify = await publish(ua, ua.aor, { ifMatch: first.header('sip-etag')!, body: pidf(ua.aor, [{ id: 't1', basic: 'closed' }]), expires: 120 });
      expect(modify.status).toBe(200);
      expect(modify.header('sip-etag')).not.toBe(first.header('sip-etag'));
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t1:closed']);
      const removal = await publish(ua, ua.aor, { ifMatch: modify.header('sip-etag')!, expires: 0 });
      expect(removal.status).toBe(200);
      expect(removal.header('expires')).toBe('0');
      // the removed entity-tag, as RFC 3903's example flows answer a removal (SIP.js warns without it)
      expect(removal.header('sip-etag')).toBe(modify.header('sip-etag'));
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual([]);
    });

    it('publish - an unknown entity-tag is 412', async () => {
      const ua = await ctx.ua('pub');
      expect((await publish(ua, ua.aor, { ifMatch: 'no-such-etag', expires: 60 })).status).toBe(412);
    });

    it('publish - an expired entity-tag is 412', async () => {
      const ua = await ctx.ua('pub');
      const first = await publish(ua, ua.aor, { body: open(ua.aor), expires: MIN_EXPIRES });
      await sleep(MIN_EXPIRES * 1000 + 300);
      expect((await publish(ua, ua.aor, { ifMatch: first.header('sip-etag')!, expires: 60 })).status).toBe(412);
    });

    it('publish - too brief an interval is 423 with Min-Expires, too long is clamped', async () => {
      const ua = await ctx.ua('pub');
      const brief = await publish(ua, ua.aor, { body: open(ua.aor), expires: MIN_EXPIRES - 1 });
      expect(brief.status).toBe(423);
      expect(brief.header('min-expires')).toBe(String(MIN_EXPIRES));
      const long = await publish(ua, ua.aor, { body: open(ua.aor), expires: MAX_EXPIRES * 10 });
      expect(long.header('expires')).toBe(String(MAX_EXPIRES));
    });

    it('publish - another event package, or none, is 489 with Allow-Events', async () => {
      const ua = await ctx.ua('pub');
      for (const event of ['dialog', null]) {
        const response = await publish(ua, ua.aor, { body: open(ua.aor), expires: 60, event });
        expect(response.status).toBe(489);
        expect(response.header('allow-events')).toBe('presence');
      }
    });

    it('publish - a body that is not PIDF (or partial PIDF, RFC 5264) is 415 with Accept', async () => {
      const ua = await ctx.ua('pub');
      const response = await publish(ua, ua.aor, { body: 'hello', contentType: 'text/plain', expires: 60 });
      expect(response.status).toBe(415);
      expect(response.header('accept')).toBe('application/pidf+xml, application/pidf-diff+xml');
    });

    it('publish - malformed or invalid PIDF is 400 with a reason naming the problem', async () => {
      const ua = await ctx.ua('pub');
      const ns = 'urn:ietf:params:xml:ns:pidf';
      const cases: [string, RegExp][] = [
        ['<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="x"><tuple', /well-formed/i],
        [`<presence xmlns="urn:example:wrong" entity="${ua.aor}"/>`, /presence|namespace|root/i],
        [pidf('sip:someone-else@example.com', [{ id: 't1', basic: 'open' }]), /entity/i],
        [`<presence xmlns="${ns}" entity="${ua.aor}"><tuple><status><basic>open</basic></status></tuple></presence>`, /tuple without id/i],
      ];
      for (const [body, reason] of cases) {
        const response = await publish(ua, ua.aor, { body, expires: 60 });
        expect(response.status, body).toBe(400);
        expect(response.reason).toMatch(reason);
      }
    });

    it('publish - hostile XML (entity bomb, external entity, deep nesting) is 400 and the server keeps serving', async () => {
      const ua = await ctx.ua('pub');
      const ns = 'urn:ietf:params:xml:ns:pidf';
      const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><presence xmlns="${ns}" entity="${ua.aor}"><note>&lol3;</note></presence>`;
      const external = `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><presence xmlns="${ns}" entity="${ua.aor}"><note>&x;</note></presence>`;
      const undeclared = `<presence xmlns="${ns}" entity="${ua.aor}"><note>&x;</note></presence>`;
      const deep = `<presence xmlns="${ns}" entity="${ua.aor}">${'<a>'.repeat(200)}${'</a>'.repeat(200)}</presence>`;
      for (const [body, reason] of [[bomb, /DOCTYPE/], [external, /DOCTYPE/], [undeclared, /entity/i], [deep, /deep/i]] as const) {
        const response = await publish(ua, ua.aor, { body, expires: 60 });
        expect(response.status).toBe(400);
        expect(response.reason).toMatch(reason);
      }
      expect((await publish(ua, ua.aor, { body: open(ua.aor), expires: 60 })).status).toBe(200);
    });

    // Not a case over UDP: a body over the 64 KiB PIDF limit cannot fit in one datagram (65507 bytes), so a UA sends it over TCP (RFC 3261 §18.1.1).
    if (ctx.transport !== 'udp') it('publish - a document over the size limit is 400', async () => {
      const ua = await ctx.ua('pub');
      const body = pidf(ua.aor, [{ id: 't1', basic: 'open', note: 'x'.repeat(70 * 1024) }]);
      const response = await publish(ua, ua.aor, { body, expires: 60 });
      expect(response.status).toBe(400);
      expect(response.reason).toMatch(/too large/i);
    });

    it('publish - a publication that is not refreshed expires and watchers are told', async () => {
      const ua = await ctx.ua('pub');
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(ua.aor, { expires: 600 });
      await dialog.nextNotify();
      await publish(ua, ua.aor, { body: open(ua.aor), expires: MIN_EXPIRES });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t1:open']);
      const afterExpiry = await dialog.nextNotify({ timeoutMs: MIN_EXPIRES * 1000 + 3000 });
      expect(tuplesOf(afterExpiry.body)).toEqual([]);
    });

    it('publish - a domain we do not serve gets 404', async () => {
      const ua = await ctx.ua('pub');
      const response = await publish(ua, 'sip:someone@elsewhere.invalid', { body: open('sip:someone@elsewhere.invalid'), expires: 60 });
      expect(response.status).toBe(404);
    });
  });
}
