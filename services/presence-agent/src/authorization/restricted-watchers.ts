import type { InspectionStore, WatcherRecord } from '@presence/core';
import type { Ruleset } from '@presence/policy';
import type { RestrictedWatcher, RestrictedWatchersLoader } from '../fanout/watcher-views.js';
import { isRestrictedView, type WatcherAuthorizer } from './watcher-authorizer.js';

/** The event package authorization applies to (RFC 3856); other packages' watchers are not presence watchers. */
export const PRESENCE_EVENT = 'presence';

/** The presence watchers of a presentity, at most `limit` of them (bounded: a rule change or a view rebuild reads no more). */
export async function presenceWatchersOf(store: Pick<InspectionStore, 'watchersOf'>, presentity: string, limit: number): Promise<WatcherRecord[]> {
  const page = await store.watchersOf(presentity, limit);
  return page.items.filter((record) => record.event === PRESENCE_EVENT);
}

/** The watchers of `records` the rules give a restricted view, and that view. */
export function restrictedWatchers(authorizer: WatcherAuthorizer, ruleset: Ruleset, presentity: string, records: readonly WatcherRecord[]): RestrictedWatcher[] {
  const restricted: RestrictedWatcher[] = [];
  // The sphere of the version being rendered was observed as it was committed (PresentitySpheres.observe).
  const sphere = authorizer.spheres.lastKnown(presentity);
  for (const record of records) {
    const authorization = authorizer.decide(ruleset, presentity, record.watcher, sphere);
    if (isRestrictedView(authorization)) restricted.push({ subscriptionId: record.subscriptionId, view: { viewKey: authorization.viewKey, transformations: authorization.transformations } });
  }
  return restricted;
}

/** WatcherViews' loader: the presentity's watchers from the store, decided by its current rules. */
export function restrictedWatchersLoader(store: Pick<InspectionStore, 'watchersOf'>, authorizer: WatcherAuthorizer, limit: number): RestrictedWatchersLoader {
  return async (presentity) => {
    const ruleset = await authorizer.rulesOf(presentity);
    // No rule, no transformation: every watcher sees the whole document or nothing, so the watcher list is not read.
    if (ruleset.rules.length === 0) return [];
    return restrictedWatchers(authorizer, ruleset, presentity, await presenceWatchersOf(store, presentity, limit));
  };
}
