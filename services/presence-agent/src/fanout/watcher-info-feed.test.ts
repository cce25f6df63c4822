import { LocalBus, reportBusErrors } from '@presence/bus';
import { createSubjects, decodeWatcherInfoEvent, type WatcherInfoEvent } from '@presence/contracts';
import { partitionOf, type WatcherRecord } from '@presence/core';
import { eventually } from '@presence/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WatcherInfoFeed } from './watcher-info-feed.js';

const ALICE = 'sip:alice@example.com';
const subjects = createSubjects('feed.');
const record = (id: string, status: WatcherRecord['status'], event = 'presence'): WatcherRecord => ({ presentity: ALICE, subscriptionId: id, watcher: `sip:${id}@example.com`, event, status, edgeId: 'e', expiresAt: 5000 });

/** The authorizer's transitions (RFC 3857 §3.2.4) as they reach the feed through the WatcherStatusListener seam. */
describe('watcher info feed', () => {
  const bus = new LocalBus();
  afterEach(() => bus.close());

  it('winfo feed - approved, rejected and deactivated through the listener become events in the status the watcher is left in', async () => {
    const feed = new WatcherInfoFeed(bus, subjects, 4);
    const seen: WatcherInfoEvent[] = [];
    bus.subscribe(subjects.watcherInfo(partitionOf(ALICE, 4), ALICE), (m) => void seen.push(decodeWatcherInfoEvent(m.data)));
    feed.onWatcherStatus({ before: undefined, after: record('bob', 'pending'), event: 'subscribe' });
    feed.onWatcherStatus({ before: record('bob', 'pending'), after: record('bob', 'active'), event: 'approved' });
    feed.onWatcherStatus({ before: record('carol', 'active'), after: undefined, event: 'rejected' });
    feed.onWatcherStatus({ before: record('dave', 'active'), after: record('dave', 'terminated'), event: 'deactivated' });
    // Nothing recorded (refused outright) and other packages' watchers are not listed.
    feed.onWatcherStatus({ before: undefined, after: undefined, event: 'rejected' });
    feed.onWatcherStatus({ before: undefined, after: record('erin', 'active', 'presence.winfo'), event: 'subscribe' });
    await eventually(() => expect(seen).toHaveLength(4));
    expect(seen.map((e) => `${e.watcher.id}:${e.watcher.status}:${e.watcher.event}:${e.watcher.expiresAt}`)).toEqual(['bob:pending:subscribe:5000', 'bob:active:approved:5000', 'carol:terminated:rejected:0', 'dave:terminated:deactivated:0']);
    expect(seen.map((e) => e.feed.previous)).toEqual([0, ...seen.slice(0, 3).map((e) => e.feed.seq)]);
    expect(feed.position(ALICE)).toEqual({ epoch: feed.epoch, seq: seen[3]!.feed.seq });
    expect(feed.position('sip:nobody@example.com')).toEqual({ epoch: feed.epoch, seq: 0 });
    expect(new WatcherInfoFeed(bus, subjects, 4).epoch).not.toBe(feed.epoch);
  });

  it('winfo feed - a change nobody follows is numbered but never encoded or published; a subscriber arriving later reads that position and the next event follows on from it', async () => {
    const quiet = new LocalBus();
    const publish = vi.spyOn(quiet, 'publish');
    const feed = new WatcherInfoFeed(reportBusErrors(quiet, () => undefined), subjects, 4);
    feed.onWatcherStatus({ before: undefined, after: record('bob', 'active'), event: 'subscribe' });
    feed.onWatcherStatus({ before: undefined, after: record('carol', 'pending'), event: 'subscribe' });
    expect(publish).not.toHaveBeenCalled();
    const position = feed.position(ALICE);
    expect(position.seq).toBeGreaterThan(0);
    const seen: WatcherInfoEvent[] = [];
    quiet.subscribe(subjects.watcherInfo(partitionOf(ALICE, 4), ALICE), (m) => void seen.push(decodeWatcherInfoEvent(m.data)));
    feed.onWatcherStatus({ before: record('carol', 'pending'), after: record('carol', 'active'), event: 'approved' });
    await eventually(() => expect(seen).toHaveLength(1));
    expect(publish).toHaveBeenCalledTimes(1);
    expect(seen[0]!.feed.previous).toBe(position.seq);
    expect(seen[0]!.watcher).toMatchObject({ id: 'carol', status: 'active', event: 'approved' });
    await quiet.close();
  });
});
