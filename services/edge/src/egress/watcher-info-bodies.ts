import type { WinfoWatcher } from '@presence/contracts';
import type { Clock } from '@presence/core';
import { renderWatcherInfo, WATCHERINFO_CONTENT_TYPE, type WatcherEntry, type WatcherInfo } from '@presence/policy';
import type { WatcherDialog } from '../subscriptions/index.js';
import type { NotifyBodies, NotifyBody } from './notify-bodies.js';
import type { FollowedWatchers, WatcherInfoInterest } from './watcher-info-interest.js';

/** What the last NOTIFY of a winfo dialog carried: its version, and the list state it was rendered from. */
interface SentState {
  version: number;
  generation: number;
  seq: number;
}

/** The package whose watchers are listed (RFC 3857 §4: presence.winfo watches presence). */
const WATCHED_PACKAGE = 'presence';

/**
 * Watcherinfo NOTIFY bodies (RFC 3858), one per dialog: versions count
 * from 0 per subscription (§4.3) and each NOTIFY carries the next one.
 * The first is full state; later ones are partial, listing the watchers
 * that changed since the dialog's last NOTIFY, unless the list was
 * replaced meanwhile (a gap re-fetched), the dialog fell behind the kept
 * events, or nothing changed (a refresh, a retried NOTIFY): then full state
 * again, which RFC 3858 §4.4 lets a subscriber take at any version.
 */
export class WatcherInfoBodies implements NotifyBodies {
  readonly contentType = WATCHERINFO_CONTENT_TYPE;
  /** Bounded by the winfo dialogs held here; dropped by forget() when a dialog ends. */
  private readonly sent = new Map<string, SentState>();

  constructor(
    private readonly interest: Pick<WatcherInfoInterest, 'current'>,
    private readonly clock: Clock,
  ) {}

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const followed = this.interest.current(dialog.presentity);
    if (followed?.position === undefined) return undefined;
    const previous = this.sent.get(dialog.id);
    const changes = previous === undefined ? [] : changesSince(followed, previous);
    const version = previous === undefined ? 0 : previous.version + 1;
    this.sent.set(dialog.id, { version, generation: followed.generation, seq: followed.position.seq });
    const now = this.clock.now();
    const info: WatcherInfo =
      changes.length > 0
        ? { version, state: 'partial', lists: [{ resource: dialog.presentity, package: WATCHED_PACKAGE, watchers: changes.map((w) => watcherEntry(w, now)) }] }
        : { version, state: 'full', lists: [{ resource: dialog.presentity, package: WATCHED_PACKAGE, watchers: [...followed.watchers.values()].map((w) => watcherEntry(w, now)) }] };
    return { body: renderWatcherInfo(info), changedAt: 0 };
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(dialog: WatcherDialog): void {
    this.sent.delete(dialog.id);
  }
}

/**
 * The watchers whose entry changed since `previous` was rendered, latest
 * entry per watcher, in the order they changed; empty when the log cannot
 * tell (another generation, or older than the log's start).
 */
export function changesSince(followed: Pick<FollowedWatchers, 'generation' | 'logBase' | 'log'>, previous: Pick<SentState, 'generation' | 'seq'>): WinfoWatcher[] {
  if (previous.generation !== followed.generation || previous.seq < followed.logBase) return [];
  const latest = new Map<string, WinfoWatcher>();
  for (const { seq, watcher } of followed.log) {
    if (seq <= previous.seq) continue;
    latest.delete(watcher.id);
    latest.set(watcher.id, watcher);
  }
  return [...latest.values()];
}

/** RFC 3858 §4.3: expiration is the seconds left; a terminated watcher has none. */
export function watcherEntry(watcher: WinfoWatcher, now: number): WatcherEntry {
  const entry: WatcherEntry = { id: watcher.id, status: watcher.status, event: watcher.event, uri: watcher.watcher };
  if (watcher.status === 'terminated') return entry;
  return { ...entry, expiration: Math.max(0, Math.ceil((watcher.expiresAt - now) / 1000)) };
}
