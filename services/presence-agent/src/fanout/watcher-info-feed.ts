import { randomBytes } from 'node:crypto';
import type { Bus } from '@presence/bus';
import { encodeMessage, type Subjects, type WinfoEvent, type WinfoFeedPosition } from '@presence/contracts';
import { partitionOf, type WatcherRecord } from '@presence/core';
import type { WatcherStatusChange, WatcherStatusListener } from '../authorization/watcher-status-listener.js';

/** The package whose watchers winfo lists (RFC 3857 §4: presence.winfo is the template applied to presence). */
export const WATCHED_PACKAGE = 'presence';

/** Presentities whose last event number is remembered; an evicted one costs its winfo subscribers one full re-fetch. */
const REMEMBERED_PRESENTITIES = 100_000;

/**
 * The watcher feed of the presentities this agent owns (RFC 3857 watcher
 * information): each change of a presentity's watcher list leaves as ONE bus
 * message on its `pw.` subject, which the edges holding winfo dialogs for it
 * turn into partial NOTIFYs. Events are numbered from one process-wide
 * counter and each names the number of the presentity's previous event, so
 * an edge tells a gap (lost message, new owner: another epoch) from order.
 * Nothing is stored: a gap costs a full re-fetch, never a wrong list.
 * It hears of changes as the agent's WatcherStatusListener.
 */
export class WatcherInfoFeed implements WatcherStatusListener {
  /** Names this process's count: a restarted or other owner counts in another one. */
  readonly epoch = randomBytes(9).toString('base64url');
  private counter = 0;
  /** Last event number per presentity, oldest first (insertion order), bounded. */
  private readonly last = new Map<string, number>();

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly partitionCount: number,
  ) {}

  /** Where the presentity's feed stands; read BEFORE the watcher list it goes with, so no event it covers is missing from the list. */
  position(presentity: string): WinfoFeedPosition {
    return { epoch: this.epoch, seq: this.last.get(presentity) ?? 0 };
  }

  /** Announces a change of a presence watcher: the record after it (or, once gone, before it) in the status it leaves. */
  onWatcherStatus(change: WatcherStatusChange): void {
    const record = change.after ?? change.before;
    // Nothing recorded (a watcher refused outright) has no id to list; other packages' watchers are not listed.
    if (record === undefined || record.event !== WATCHED_PACKAGE) return;
    this.announce(record, change.after?.status ?? 'terminated', change.event);
  }

  /** A watcher's subscription moved into `status` by `event` (RFC 3857 §3.2.4); call after the store holds the change. */
  private announce(record: WatcherRecord, status: WatcherRecord['status'], event: WinfoEvent): void {
    const previous = this.last.get(record.presentity) ?? 0;
    const seq = ++this.counter;
    this.last.delete(record.presentity);
    this.last.set(record.presentity, seq);
    if (this.last.size > REMEMBERED_PRESENTITIES) this.last.delete(this.last.keys().next().value as string);
    const subject = this.subjects.watcherInfo(partitionOf(record.presentity, this.partitionCount), record.presentity);
    // Numbered all the same: a winfo subscriber arriving later reads this position with the list, which holds the change.
    if (this.bus.hasSubscribers?.(subject) === false) return;
    const message = encodeMessage({
      v: 1,
      type: 'watcher-info',
      presentity: record.presentity,
      feed: { epoch: this.epoch, previous, seq },
      watcher: { id: record.subscriptionId, watcher: record.watcher, status, event, expiresAt: status === 'terminated' ? 0 : record.expiresAt },
    });
    this.bus.publish(subject, message);
  }
}
