import { EVERYTHING_PROVIDED, NOTHING_PROVIDED, viewKey, type Transformations } from '@presence/policy';
import { describe, expect, it } from 'vitest';
import { WatcherViews, type RestrictedWatcher } from './watcher-views.js';

const ALICE = 'sip:alice@example.com';
const DOC = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t"><status><basic>open</basic></status><note>secret</note></tuple></presence>`;
const minimal: Transformations = { ...NOTHING_PROVIDED, services: EVERYTHING_PROVIDED.services };
const view = { viewKey: viewKey(minimal), transformations: minimal };

describe('WatcherViews', () => {
  it('watcher views - read from the store once per presentity, one rendered document per distinct view, none without restricted watchers', async () => {
    let loads = 0;
    let stored: RestrictedWatcher[] = [{ subscriptionId: 's1', view }];
    const views = new WatcherViews({ presentities: 10, watchersPerPresentity: 10, viewsPerPresentity: 4 }, async () => (loads++, stored));
    views.note(ALICE, 's0', view); // not known yet: the load brings it
    const rendered = await views.render(ALICE, 1, DOC);
    expect(Object.keys(rendered ?? {})).toEqual([view.viewKey]);
    expect(rendered?.[view.viewKey]).toContain('<basic>open</basic>');
    expect(rendered?.[view.viewKey]).not.toContain('secret');
    views.note(ALICE, 's2', view);
    expect(Object.keys((await views.render(ALICE, 2, DOC)) ?? {})).toHaveLength(1);
    views.note(ALICE, 's1', undefined);
    views.note(ALICE, 's2', undefined);
    expect(await views.render(ALICE, 3, DOC)).toBeUndefined();
    expect(loads).toBe(1);
    stored = [];
    views.forget(ALICE);
    expect(await views.render(ALICE, 4, DOC)).toBeUndefined();
    expect(loads).toBe(2);
  });

  it('watcher views - bounded: watchers past the per-presentity cap are not kept (their edge shows the offline document)', async () => {
    const views = new WatcherViews({ presentities: 1, watchersPerPresentity: 1, viewsPerPresentity: 4 }, async () => []);
    await views.render(ALICE, 1, DOC);
    views.note(ALICE, 's1', view);
    views.note(ALICE, 's2', { viewKey: 'other', transformations: NOTHING_PROVIDED });
    expect(views.viewOf(ALICE, 's2')).toBeUndefined();
    expect(Object.keys((await views.render(ALICE, 2, DOC)) ?? {})).toEqual([view.viewKey]);
  });
});
