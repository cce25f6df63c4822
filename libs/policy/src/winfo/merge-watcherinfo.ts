import type { WatcherEntry, WatcherInfo, WatcherList } from './watcherinfo.js';

export type WatcherInfoMerge =
  | { readonly ok: true; readonly info: WatcherInfo }
  /** `stale`: a version already applied, ignore it; `gap`: a version was missed, fetch full state again (re-SUBSCRIBE). */
  | { readonly ok: false; readonly reason: 'stale' | 'gap' };

/**
 * The subscriber's side of RFC 3858 §4.4: a full document replaces what
 * was known; a partial one must carry the next version and updates the
 * watchers it lists by id, a terminated one leaving the table. The result
 * is always full state, so it can be compared with a fresh full document.
 */
export function mergeWatcherInfo(current: WatcherInfo | undefined, update: WatcherInfo): WatcherInfoMerge {
  if (current !== undefined && update.version <= current.version) return { ok: false, reason: 'stale' };
  if (update.state === 'full') return { ok: true, info: { ...update, lists: update.lists.map((list) => ({ ...list, watchers: list.watchers.filter(live) })) } };
  if (current === undefined || update.version !== current.version + 1) return { ok: false, reason: 'gap' };
  const lists = current.lists.map((list) => ({ ...list, watchers: [...list.watchers] }));
  for (const changes of update.lists) {
    let list = lists.find((l) => l.resource === changes.resource && l.package === changes.package);
    if (list === undefined) {
      list = { resource: changes.resource, package: changes.package, watchers: [] };
      lists.push(list);
    }
    for (const watcher of changes.watchers) {
      const at = list.watchers.findIndex((w) => w.id === watcher.id);
      if (at >= 0) list.watchers.splice(at, 1);
      if (live(watcher)) list.watchers.splice(at >= 0 ? at : list.watchers.length, 0, watcher);
    }
  }
  return { ok: true, info: { version: update.version, state: 'full', lists } };
}

/**
 * The server's side: the watchers of `current` a partial notification
 * must carry since `previous` was sent, those that are new or whose status,
 * event, URI or display name changed. Durations are not compared: they
 * change every second without anything happening.
 */
export function changedWatchers(previous: WatcherList | undefined, current: WatcherList): WatcherEntry[] {
  const before = new Map((previous?.watchers ?? []).map((w) => [w.id, w]));
  return current.watchers.filter((w) => {
    const old = before.get(w.id);
    return old === undefined || old.status !== w.status || old.event !== w.event || old.uri !== w.uri || old.displayName !== w.displayName;
  });
}

function live(watcher: WatcherEntry): boolean {
  return watcher.status !== 'terminated';
}
