import { describe, expect, it } from 'vitest';
import { MAX_EXPIRES, MIN_EXPIRES, pidf, publish, tuplesOf, type SuiteContext } from './harness.js';
import { sleep } from '@presence/dev-tools';

/** RFC 6665 / RFC 3856 subscriptions to the presence package. */
export function subscribeBehaviour(ctx: SuiteContext): void {
  describe('SUBSCRIBE', () => {
    const open = (entity: string) => pidf(entity, [{ id: 'd1', basic: 'open' }]);

    it('subscribe - creates a dialog: 200 with To-tag and Expires, then at once a NOTIFY with the current state', async () => {
      const presentity = await ctx.ua('presentity');
      await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      const watcher = await ctx.ua('watcher');
      const { response, dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      expect(response.status).toBe(200);
      expect(response.to.params.tag).toBeTruthy();
      expect(response.header('expires')).toBe('600');
      expect(response.header('contact')).toBeTruthy();
      const notify = await dialog.nextNotify();
      expect(notify.header('event')).toBe('presence');
      expect(notify.header('subscription-state')).toMatch(/^active;expires=(599|600)$/);
      expect(notify.contentType).toBe('application/pidf+xml');
      expect(notify.from.params.tag).toBe(response.to.params.tag);
      expect(notify.body).toContain(`entity="${presentity.aor}"`);
      expect(tuplesOf(notify.body)).toEqual(['d1:open']);
    });

    it('subscribe - every change of the composed document is notified', async () => {
      const presentity = await ctx.ua('presentity');
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      await dialog.nextNotify();
      const first = await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['d1:open']);
      await publish(presentity, presentity.aor, { ifMatch: first.header('sip-etag')!, body: pidf(presentity.aor, [{ id: 'd1', basic: 'closed' }]), expires: 120 });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['d1:closed']);
    });

    it('subscribe - a refresh in the dialog gets 200 and a NOTIFY with the new expiry', async () => {
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(ctx.aor('presentity'), { expires: 600 });
      await dialog.nextNotify();
      const refresh = await dialog.refresh(1200);
      expect(refresh.status).toBe(200);
      expect(refresh.header('expires')).toBe('1200');
      expect((await dialog.nextNotify()).header('subscription-state')).toMatch(/^active;expires=(1199|1200)$/);
    });

    it('subscribe - unsubscribing (Expires 0) gets a final terminated NOTIFY and nothing after it', async () => {
      const presentity = await ctx.ua('presentity');
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      await dialog.nextNotify();
      expect((await dialog.unsubscribe()).status).toBe(200);
      expect((await dialog.nextNotify()).header('subscription-state')).toMatch(/^terminated/);
      await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      await sleep(300);
      expect(dialog.notifies).toHaveLength(2);
    });

    it('subscribe - a fetch (Expires 0) gets exactly one NOTIFY, terminated;reason=timeout, with the state', async () => {
      const presentity = await ctx.ua('presentity');
      await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      const watcher = await ctx.ua('watcher');
      const { response, dialog } = await watcher.subscribe(presentity.aor, { expires: 0 });
      expect(response.status).toBe(200);
      expect(response.header('expires')).toBe('0');
      const notify = await dialog.nextNotify();
      expect(notify.header('subscription-state')).toBe('terminated;reason=timeout');
      expect(tuplesOf(notify.body)).toEqual(['d1:open']);
      await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      await sleep(300);
      expect(dialog.notifies).toHaveLength(1);
    });

    it('subscribe - an Accept without application/pidf+xml is 406 with Accept', async () => {
      const watcher = await ctx.ua('watcher');
      const { response } = await watcher.subscribe(ctx.aor('presentity'), { accept: 'text/plain' });
      expect(response.status).toBe(406);
      expect(response.header('accept')).toBe('application/pidf+xml');
    });

    it('subscribe - a missing Event is 400, an unknown package 489 with Allow-Events', async () => {
      const watcher = await ctx.ua('watcher');
      const missing = await watcher.request('SUBSCRIBE', { uri: ctx.aor('presentity'), expires: 60 });
      expect(missing.status).toBe(400);
      const { response } = await watcher.subscribe(ctx.aor('presentity'), { event: 'dialog', accept: 'application/dialog-info+xml' });
      expect(response.status).toBe(489);
      expect(response.header('allow-events')).toBe('presence, presence.winfo, xcap-diff');
    });

    it('subscribe - too brief an interval is 423 with Min-Expires, too long is clamped', async () => {
      const watcher = await ctx.ua('watcher');
      const brief = await watcher.subscribe(ctx.aor('presentity'), { expires: MIN_EXPIRES - 1 });
      expect(brief.response.status).toBe(423);
      expect(brief.response.header('min-expires')).toBe(String(MIN_EXPIRES));
      const long = await watcher.subscribe(ctx.aor('presentity'), { expires: MAX_EXPIRES * 10 });
      expect(long.response.header('expires')).toBe(String(MAX_EXPIRES));
    });

    it('subscribe - a subscription that is not refreshed ends with NOTIFY terminated;reason=timeout', async () => {
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(ctx.aor('presentity'), { expires: MIN_EXPIRES });
      await dialog.nextNotify();
      const last = await dialog.nextNotify({ timeoutMs: MIN_EXPIRES * 1000 + 2000 });
      expect(last.header('subscription-state')).toBe('terminated;reason=timeout');
      expect((await dialog.refresh(60)).status).toBe(481);
    });

    it('subscribe - a NOTIFY answered 481 ends the subscription', async () => {
      const presentity = await ctx.ua('presentity');
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      await dialog.nextNotify();
      watcher.answerNotifiesWith(481);
      await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      await dialog.nextNotify();
      await sleep(200);
      watcher.answerNotifiesWith(200);
      expect((await dialog.refresh(60)).status).toBe(481);
    });

    it('subscribe - a NOTIFY that times out ends the subscription', async () => {
      const presentity = await ctx.ua('presentity');
      const watcher = await ctx.ua('watcher');
      const { dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      await dialog.nextNotify();
      watcher.answerNotifiesWith(null);
      await publish(presentity, presentity.aor, { body: open(presentity.aor), expires: 120 });
      await dialog.nextNotify();
      // Timer F = 64*T1 with the suite's T1 of 50 ms.
      await sleep(64 * 50 + 500);
      watcher.answerNotifiesWith(200);
      expect((await dialog.refresh(60)).status).toBe(481);
    });

    it('subscribe - a refresh for a dialog that does not exist is 481', async () => {
      const watcher = await ctx.ua('watcher');
      const response = await watcher.request('SUBSCRIBE', {
        uri: ctx.aor('presentity'),
        expires: 60,
        headers: { Event: 'presence', To: `<${ctx.aor('presentity')}>;tag=not-a-dialog` },
      });
      expect(response.status).toBe(481);
    });

    it('subscribe - without a Contact is 400', async () => {
      const watcher = await ctx.ua('watcher');
      const target = `sip:127.0.0.1:${ctx.target().port(ctx.transport)};transport=${ctx.transport}`;
      const presentity = ctx.aor('presentity');
      const response = await watcher.send('SUBSCRIBE', presentity, {
        From: `<${watcher.aor}>;tag=nc1`,
        To: `<${presentity}>`,
        'Call-ID': `no-contact-${presentity}`,
        CSeq: '1 SUBSCRIBE',
        Event: 'presence',
      }, target);
      expect(response.status).toBe(400);
      expect(response.reason).toMatch(/contact/i);
    });

    it('subscribe - a domain we do not serve gets 404', async () => {
      const watcher = await ctx.ua('watcher');
      const { response } = await watcher.subscribe('sip:someone@elsewhere.invalid');
      expect(response.status).toBe(404);
    });
  });
}
