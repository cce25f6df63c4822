import { describe, expect, it } from 'vitest';
import { pidf, publish, tuplesOf, type SuiteContext } from './harness.js';

/** RFC 4479 / RFC 3903 §4 composition of several publications, and methods other than the presence ones. */
export function compositionBehaviour(ctx: SuiteContext): void {
  describe('composition', () => {
    it('composition - the publications of several devices are all in the document', async () => {
      const phone = await ctx.ua('multi');
      const watcher = await ctx.ua('watcher');
      const presentity = phone.aor;
      const { dialog } = await watcher.subscribe(presentity, { expires: 600 });
      await dialog.nextNotify();
      await publish(phone, presentity, { body: pidf(presentity, [{ id: 'phone', basic: 'open' }]), expires: 120 });
      await dialog.nextNotify();
      await publish(phone, presentity, { body: pidf(presentity, [{ id: 'laptop', basic: 'closed' }]), expires: 120 });
      expect(tuplesOf((await dialog.nextNotify()).body).sort()).toEqual(['laptop:closed', 'phone:open']);
    });

    it('composition - the same tuple id from two publications appears once, from the newest', async () => {
      const device = await ctx.ua('dup');
      const presentity = device.aor;
      const watcher = await ctx.ua('watcher');
      await publish(device, presentity, { body: pidf(presentity, [{ id: 'shared', basic: 'closed' }]), expires: 120 });
      await publish(device, presentity, { body: pidf(presentity, [{ id: 'shared', basic: 'open' }]), expires: 120 });
      const { dialog } = await watcher.subscribe(presentity, { expires: 0 });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['shared:open']);
    });

    it('composition - with no publication the document has no tuples', async () => {
      const watcher = await ctx.ua('watcher');
      const presentity = ctx.aor('nobody');
      const { dialog } = await watcher.subscribe(presentity, { expires: 0 });
      const notify = await dialog.nextNotify();
      expect(notify.body).toContain(`entity="${presentity}"`);
      expect(tuplesOf(notify.body)).toEqual([]);
    });
  });

  describe('other methods', () => {
    it('methods - OPTIONS lists what we accept', async () => {
      const ua = await ctx.ua('opt');
      const response = await ua.request('OPTIONS', { uri: ctx.aor('any') });
      expect(response.status).toBe(200);
      expect(response.header('allow')).toContain('SUBSCRIBE');
      expect(response.header('allow-events')).toBe('presence, presence.winfo, xcap-diff');
    });

    it('methods - methods an RFC defines that we do not serve get 405 with Allow', async () => {
      const ua = await ctx.ua('opt');
      for (const method of ['INFO', 'NOTIFY', 'BYE']) {
        const response = await ua.request(method, { uri: ctx.aor('any') });
        expect(response.status, method).toBe(405);
        expect(response.reason, method).toBe('Method Not Allowed');
        expect(response.header('allow'), method).toBe('REGISTER, PUBLISH, SUBSCRIBE, MESSAGE, OPTIONS');
      }
    });

    it('methods - a method no RFC defines gets 501 Not Implemented (method names are case-sensitive), before any Require check', async () => {
      const ua = await ctx.ua('opt');
      for (const [method, headers] of [['FOO', {}], ['publish', {}], ['FOO', { Require: 'foo' }]] as const) {
        const response = await ua.request(method, { uri: ctx.aor('any'), headers });
        expect(response.status, method).toBe(501);
        expect(response.reason, method).toBe('Not Implemented');
        expect(response.header('allow'), method).toBe('REGISTER, PUBLISH, SUBSCRIBE, MESSAGE, OPTIONS');
      }
    });

    it('methods - a Require we do not support is 420 with Unsupported', async () => {
      const ua = await ctx.ua('opt');
      const response = await ua.request('OPTIONS', { uri: ctx.aor('any'), headers: { Require: 'foo' } });
      expect(response.status).toBe(420);
      expect(response.header('unsupported')).toBe('foo');
    });
  });
}
