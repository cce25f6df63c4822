import { LocalBus } from '@presence/bus';
import { createSubjects, encodeMessage, type WatchersReply, type WinfoWatcher } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { mergeWatcherInfo, parseWatcherInfo, type WatcherInfo } from '@presence/policy';
import { silentLogger } from '@presence/runtime';
import { eventually } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import { changesSince, WatcherInfoBodies } from './watcher-info-bodies.js';
import { WatcherInfoInterest, WINFO_PACKAGE } from './watcher-info-interest.js';

const PARTITIONS = 4;
const ALICE = 'sip:alice@example.com';
const NOW = 1_000_000;
const subjects = createSubjects('unit.');
const watcher = (id: string, status: WinfoWatcher['status'] = 'active', event: WinfoWatcher['event'] = 'subscribe'): WinfoWatcher => ({ id, watcher: `sip:${id}@example.com`, status, event, expiresAt: status === 'terminated' ? 0 : NOW + 60_000 });
const list = (seq: number, watchers: WinfoWatcher[], epoch = 'e1'): WatchersReply => ({ v: 1, type: 'watchers', presentity: ALICE, feed: { epoch, seq }, watchers });

describe('watcher information at the edge', () => {
  let bus: LocalBus;
  let interest: WatcherInfoInterest;
  let fetched: WatchersReply[];
  let fetches: number;
  let changed: string[];

  beforeEach(() => {
    bus = new LocalBus();
    fetched = [];
    fetches = 0;
    changed = [];
    const source = { watchers: async () => (fetches++, fetched.shift() ?? Promise.reject(new Error('agent unavailable'))) };
    interest = new WatcherInfoInterest(bus, subjects, PARTITIONS, source, 100, silentLogger);
    interest.delegate = { onPackageChanged: (eventPackage, presentity) => void changed.push(`${eventPackage} ${presentity}`) };
  });

  afterEach(async () => {
    interest.close();
    await bus.close();
  });

  const send = (previous: number, seq: number, entry: WinfoWatcher, epoch = 'e1') =>
    bus.publish(subjects.watcherInfo(partitionOf(ALICE, PARTITIONS), ALICE), encodeMessage({ v: 1, type: 'watcher-info', presentity: ALICE, feed: { epoch, previous, seq }, watcher: entry }));
  const ids = () => [...(interest.current(ALICE)?.watchers.keys() ?? [])].sort();

  it('winfo interest - events that follow the position change the list; stale ones are ignored; one that skips asks for the full list', async () => {
    interest.acquire(ALICE);
    expect(interest.apply(list(5, [watcher('bob')]))).toBe(true);
    send(5, 7, watcher('carol'));
    await eventually(() => expect(ids()).toEqual(['bob', 'carol']));
    send(4, 5, watcher('zed'));
    send(7, 9, watcher('bob', 'terminated', 'timeout'));
    await eventually(() => expect(ids()).toEqual(['carol']));
    expect(changed).toEqual([`${WINFO_PACKAGE} ${ALICE}`, `${WINFO_PACKAGE} ${ALICE}`]);
    // A gap: position 9, an event after 11.
    fetched.push(list(12, [watcher('carol'), watcher('dave')]));
    send(11, 12, watcher('dave'));
    await eventually(() => expect(ids()).toEqual(['carol', 'dave']));
    expect(fetches).toBe(1);
    expect(interest.current(ALICE)?.position).toEqual({ epoch: 'e1', seq: 12 });
    // Another owner (epoch) counts anew: a full list again.
    fetched.push(list(1, [watcher('dave')], 'e2'));
    send(0, 1, watcher('dave'), 'e2');
    await eventually(() => expect(ids()).toEqual(['dave']));
    expect(fetches).toBe(2);
  });

  it('winfo interest - events arriving before the first full list are applied after it, unless the list covers them already', async () => {
    interest.acquire(ALICE);
    const delivered: unknown[] = [];
    bus.subscribe(subjects.watcherInfo(partitionOf(ALICE, PARTITIONS), ALICE), (m) => void delivered.push(m));
    send(3, 4, watcher('bob'));
    send(4, 6, watcher('carol'));
    await eventually(() => expect(delivered).toHaveLength(2));
    expect(interest.current(ALICE)).toBeUndefined();
    interest.apply(list(4, [watcher('bob')]));
    expect(ids()).toEqual(['bob', 'carol']);
    expect(interest.current(ALICE)?.position?.seq).toBe(6);
    // Nobody holds it any more: events are not followed.
    interest.release(ALICE);
    expect(interest.current(ALICE)).toBeUndefined();
  });

  it('winfo bodies - version 0 in full, then the next version with only what changed, full again after a re-fetch', async () => {
    interest.acquire(ALICE);
    interest.apply(list(1, [watcher('bob'), watcher('carol', 'pending')]));
    const bodies = new WatcherInfoBodies(interest, { now: () => NOW });
    const dialog = testDialog({ presentity: ALICE, event: 'presence.winfo' });
    let seen: WatcherInfo | undefined;
    const next = () => {
      const document = parseWatcherInfo(String(bodies.next(dialog)?.body));
      const merged = mergeWatcherInfo(seen, document);
      if (!merged.ok) throw new Error(merged.reason);
      seen = merged.info;
      return document;
    };
    const first = next();
    expect(first).toMatchObject({ version: 0, state: 'full' });
    expect(first.lists).toEqual([{ resource: ALICE, package: 'presence', watchers: [expect.objectContaining({ id: 'bob', expiration: 60 }), expect.objectContaining({ id: 'carol', status: 'pending' })] }]);
    send(1, 2, watcher('carol', 'active', 'approved'));
    send(2, 3, watcher('dave'));
    send(3, 4, watcher('dave', 'terminated', 'rejected'));
    await eventually(() => expect(interest.current(ALICE)?.position?.seq).toBe(4));
    const partial = next();
    expect(partial).toMatchObject({ version: 1, state: 'partial' });
    expect(partial.lists[0]?.watchers.map((w) => `${w.id}:${w.status}:${w.event}`)).toEqual(['carol:active:approved', 'dave:terminated:rejected']);
    // Nothing changed (a refresh, a retried NOTIFY): full state at the next version.
    expect(next()).toMatchObject({ version: 2, state: 'full' });
    fetched.push(list(9, [watcher('bob')]));
    send(7, 9, watcher('bob'));
    await eventually(() => expect(interest.current(ALICE)?.position?.seq).toBe(9));
    expect(next()).toMatchObject({ version: 3, state: 'full' });
    expect(seen?.lists[0]?.watchers.map((w) => w.id)).toEqual(['bob']);
    // A dialog that ended and was forgotten starts again from version 0.
    bodies.forget(dialog);
    seen = undefined;
    expect(next()).toMatchObject({ version: 0, state: 'full' });
  });

  it('winfo changes - latest entry per watcher since a position; nothing when the log cannot tell', () => {
    const log = [
      { seq: 3, watcher: watcher('a') },
      { seq: 4, watcher: watcher('b') },
      { seq: 6, watcher: watcher('a', 'terminated', 'timeout') },
    ];
    const followed = { generation: 2, logBase: 2, log };
    expect(changesSince(followed, { generation: 2, seq: 3 }).map((w) => `${w.id}:${w.status}`)).toEqual(['b:active', 'a:terminated']);
    expect(changesSince(followed, { generation: 2, seq: 6 })).toEqual([]);
    expect(changesSince(followed, { generation: 1, seq: 3 })).toEqual([]);
    expect(changesSince(followed, { generation: 2, seq: 1 })).toEqual([]);
  });
});
