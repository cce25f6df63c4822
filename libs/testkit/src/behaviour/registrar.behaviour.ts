import { describe, expect, it } from 'vitest';
import { DOMAIN, MAX_EXPIRES, MIN_EXPIRES, type SuiteContext } from './harness.js';
import { sleep } from '@presence/dev-tools';

/** RFC 3261 §10.3 registrar behaviour. */
export function registrarBehaviour(ctx: SuiteContext): void {
  describe('REGISTER', () => {
    const serverUri = () => `sip:127.0.0.1:${ctx.target().port(ctx.transport)};transport=${ctx.transport}`;

    it('registrar - binds a contact for the Expires given and lists it in the 200', async () => {
      const ua = await ctx.ua('reg');
      const response = await ua.request('REGISTER', { expires: 120 });
      expect(response.status).toBe(200);
      expect(response.headerValues('contact')).toEqual([`<${ua.contact}>;expires=120`]);
    });

    it('registrar - a Contact expires parameter wins over the Expires header', async () => {
      const ua = await ctx.ua('reg');
      const response = await ua.request('REGISTER', { expires: 120, headers: { Contact: `<${ua.contact}>;expires=300` } });
      expect(response.headerValues('contact')).toEqual([`<${ua.contact}>;expires=300`]);
    });

    it('registrar - a refresh updates the one binding, a query lists it', async () => {
      const ua = await ctx.ua('reg');
      await ua.request('REGISTER', { expires: 120 });
      const refreshed = await ua.request('REGISTER', { expires: 600 });
      expect(refreshed.headerValues('contact')).toEqual([`<${ua.contact}>;expires=600`]);
      const query = await ua.send('REGISTER', `sip:${DOMAIN}`, {
        From: `<${ua.aor}>;tag=q1`,
        To: `<${ua.aor}>`,
        'Call-ID': `query-${ua.aor}`,
        CSeq: '1 REGISTER',
      }, serverUri());
      expect(query.status).toBe(200);
      expect(query.headerValues('contact')).toHaveLength(1);
      expect(query.headerValues('contact')[0]).toMatch(new RegExp(`^<${escape(ua.contact)}>;expires=(59[0-9]|600)$`));
    });

    it('registrar - Expires 0 removes the binding and Contact * with Expires 0 removes them all', async () => {
      const ua = await ctx.ua('reg');
      await ua.request('REGISTER', { expires: 120 });
      const removed = await ua.request('REGISTER', { expires: 0 });
      expect(removed.status).toBe(200);
      expect(removed.headerValues('contact')).toEqual([]);
      await ua.request('REGISTER', { expires: 120, headers: { Contact: ['<sip:a@127.0.0.1:7001>', '<sip:b@127.0.0.1:7002>'] } });
      const wildcard = await ua.request('REGISTER', { expires: 0, headers: { Contact: '*' } });
      expect(wildcard.status).toBe(200);
      expect(wildcard.headerValues('contact')).toEqual([]);
    });

    it('registrar - Contact * needs Expires 0 (400)', async () => {
      const ua = await ctx.ua('reg');
      const response = await ua.request('REGISTER', { expires: 60, headers: { Contact: '*' } });
      expect(response.status).toBe(400);
    });

    it('registrar - too brief an interval is 423 with Min-Expires, too long is clamped', async () => {
      const ua = await ctx.ua('reg');
      const brief = await ua.request('REGISTER', { expires: MIN_EXPIRES - 1 });
      expect(brief.status).toBe(423);
      expect(brief.header('min-expires')).toBe(String(MIN_EXPIRES));
      const long = await ua.request('REGISTER', { expires: MAX_EXPIRES * 10 });
      expect(long.headerValues('contact')).toEqual([`<${ua.contact}>;expires=${MAX_EXPIRES}`]);
    });

    it('registrar - an out-of-order CSeq on the same Call-ID is refused with 500', async () => {
      const ua = await ctx.ua('reg');
      const callId = `ooo-${ua.aor}`;
      expect((await ua.request('REGISTER', { expires: 120, headers: { 'Call-ID': callId, CSeq: '10 REGISTER' } })).status).toBe(200);
      expect((await ua.request('REGISTER', { expires: 120, headers: { 'Call-ID': callId, CSeq: '5 REGISTER' } })).status).toBe(500);
    });

    it('registrar - a binding lapses when not refreshed', async () => {
      const ua = await ctx.ua('reg');
      await ua.request('REGISTER', { expires: MIN_EXPIRES });
      await sleep(MIN_EXPIRES * 1000 + 300);
      const again = await ua.request('REGISTER', { expires: 60, headers: { Contact: '<sip:other@127.0.0.1:7003>' } });
      expect(again.headerValues('contact')).toEqual(['<sip:other@127.0.0.1:7003>;expires=60']);
    });

    it('registrar - a domain we do not serve gets 404', async () => {
      const ua = await ctx.ua('reg');
      const response = await ua.request('REGISTER', { uri: 'sip:elsewhere.invalid', headers: { To: '<sip:x@elsewhere.invalid>' } });
      expect(response.status).toBe(404);
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
