import { mergeWatcherInfo, parseWatcherInfo, type WatcherEntry, type WatcherInfo } from '@presence/policy';
import type { IncomingRequest } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import type { TestDialog } from '../test-ua/test-dialog.js';
import { MIN_EXPIRES, type SuiteContext } from './harness.js';

/** What a winfo subscriber knows: each NOTIFY parsed and merged (RFC 3858 §4.4), so a skipped version fails the merge. */
export class WatcherInfoView {
  info: WatcherInfo | undefined;
  readonly versions: number[] = [];
  readonly states: string[] = [];

  constructor(private readonly dialog: TestDialog) {}

  /** The next NOTIFY, merged; returns the entries it carried. */
  async next(): Promise<{ notify: IncomingRequest; entries: readonly WatcherEntry[] }> {
    const notify = await this.dialog.nextNotify({ timeoutMs: 8000 });
    expect(notify.header('event')).toBe('presence.winfo');
    expect(notify.contentType).toBe('application/watcherinfo+xml');
    const update = parseWatcherInfo(notify.body);
    const merged = mergeWatcherInfo(this.info, update);
    if (!merged.ok) throw new Error(`watcherinfo version ${update.version} (${update.state}) after ${this.info?.version}: ${merged.reason}`);
    this.info = merged.info;
    this.versions.push(update.version);
    this.states.push(update.state);
    return { notify, entries: update.lists.flatMap((list) => list.watchers) };
  }

  watchers(): string[] {
    return (this.info?.lists ?? []).flatMap((list) => list.watchers.map((w) => `${w.uri}:${w.status}`)).sort();
  }
}

/**
 * RFC 3857 / RFC 3858 watcher information of the presence package. In a
 * cluster, consecutive user agents sit on different edges: the presentity's
 * winfo dialog on one, its watchers on another.
 */
export function watcherInfoBehaviour(ctx: SuiteContext): void {
  describe('presence.winfo', () => {
    it('winfo - full state first (version 0), then one partial per watcher change: subscribe, unsubscribe, timeout', async () => {
      const presentity = await ctx.ua('presentity');
      const early = await ctx.ua('early');
      const earlyDialog = (await early.subscribe(presentity.aor, { expires: 600 })).dialog;
      await earlyDialog.nextNotify();

      const { response, dialog } = await presentity.subscribe(presentity.aor, { event: 'presence.winfo', expires: 600 });
      expect(response.status).toBe(200);
      const view = new WatcherInfoView(dialog);
      const first = await view.next();
      expect(first.notify.header('subscription-state')).toMatch(/^active;expires=(599|600)$/);
      expect(view.states[0]).toBe('full');
      expect(view.versions[0]).toBe(0);
      expect(view.info?.lists[0]?.resource).toBe(presentity.aor);
      expect(view.info?.lists[0]?.package).toBe('presence');
      expect(view.watchers()).toEqual([`${early.aor}:active`]);

      const late = await ctx.ua('late');
      const lateDialog = (await late.subscribe(presentity.aor, { expires: MIN_EXPIRES })).dialog;
      const subscribed = await view.next();
      expect(view.states[1]).toBe('partial');
      expect(subscribed.entries).toEqual([expect.objectContaining({ uri: late.aor, status: 'active', event: 'subscribe' })]);
      expect(view.watchers()).toEqual([`${early.aor}:active`, `${late.aor}:active`].sort());

      expect((await earlyDialog.unsubscribe()).status).toBe(200);
      const unsubscribed = await view.next();
      expect(unsubscribed.entries).toEqual([expect.objectContaining({ uri: early.aor, status: 'terminated', event: 'timeout' })]);

      // RFC 6665 §4.2.2: the late watcher never refreshes, its subscription lapses.
      expect((await lateDialog.nextNotify({ timeoutMs: 8000 })).header('subscription-state')).toBe('active;expires=2');
      const lapsed = await view.next();
      expect(lapsed.entries).toEqual([expect.objectContaining({ uri: late.aor, status: 'terminated', event: 'timeout' })]);
      expect(view.watchers()).toEqual([]);
      expect(view.versions).toEqual([0, 1, 2, 3]);
      expect(view.states).toEqual(['full', 'partial', 'partial', 'partial']);
    });

    it('winfo - a refresh gets the next version in full, an unsubscribe a final terminated NOTIFY', async () => {
      const presentity = await ctx.ua('presentity');
      const { dialog } = await presentity.subscribe(presentity.aor, { event: 'presence.winfo', expires: 600 });
      const view = new WatcherInfoView(dialog);
      await view.next();
      expect((await dialog.refresh(1200)).status).toBe(200);
      const refreshed = await view.next();
      expect(refreshed.notify.header('subscription-state')).toMatch(/^active;expires=(1199|1200)$/);
      expect((await dialog.unsubscribe()).status).toBe(200);
      const final = await view.next();
      expect(final.notify.header('subscription-state')).toMatch(/^terminated/);
      expect(view.versions).toEqual([0, 1, 2]);
    });

    it('winfo - only the presentity may subscribe (403); an Accept without watcherinfo is 406; 489 lists both packages', async () => {
      const presentity = await ctx.ua('presentity');
      const stranger = await ctx.ua('stranger');
      const refused = await stranger.subscribe(presentity.aor, { event: 'presence.winfo' });
      expect(refused.response.status).toBe(403);
      expect(refused.response.reason).toMatch(/only the presentity/);
      const unacceptable = await presentity.subscribe(presentity.aor, { event: 'presence.winfo', accept: 'application/pidf+xml' });
      expect(unacceptable.response.status).toBe(406);
      expect(unacceptable.response.header('accept')).toBe('application/watcherinfo+xml');
      const unknown = await presentity.subscribe(presentity.aor, { event: 'dialog.winfo', accept: 'application/watcherinfo+xml' });
      expect(unknown.response.status).toBe(489);
      expect(unknown.response.header('allow-events')).toBe('presence, presence.winfo, xcap-diff');
    });
  });
}
