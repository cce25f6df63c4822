import { describe, expect, it } from 'vitest';
import type { SippLogLine } from './sipp-log.js';
import { SippTally } from './sipp-tally.js';

const notify = (call: number, presentity: string, receivedMs: number, publishedMs?: number): SippLogLine => ({
  kind: 'notify', call, presentity, receivedMs, ...(publishedMs === undefined ? {} : { publishedMs }),
});
const accepted = (presentity: string, sentMs: number, etag: string): SippLogLine => ({ kind: 'accepted', presentity, sentMs, etag });

describe('SippTally: SIPp log lines folded into step figures', () => {
  it('counts a step\'s NOTIFYs, its late and unstamped ones, its latency, owed pairs and stale watchers', () => {
    const tally = new SippTally();
    // Subscribe phase: initial NOTIFYs without a stamp; watchers 1, 2 watch p1, watcher 3 watches p2.
    tally.addWatcherLines(0, [notify(1, 'p1', 100), notify(2, 'p1', 100), notify(3, 'p2', 100)]);
    tally.addPublisherLines([accepted('p1', 500, 'e0')]); // the warm-up
    tally.startStep(1000, 2000);
    tally.addPublisherLines([accepted('p1', 1100, 'e1'), accepted('p2', 1200, 'e2'), { kind: 'rejected', presentity: 'p2', code: '412' }]);
    tally.addWatcherLines(0, [
      notify(1, 'p1', 1002, 500), // late: the warm-up's change
      notify(1, 'p1', 1105, 1100),
      notify(2, 'p1', 2500, 1100), // after the window: counted, not in the window's rate
      notify(3, 'p2', 1210, 1200),
      notify(3, 'p2', 1210, 1200), // logged twice: one change delivered
    ]);
    expect(tally.etagOf('p1')).toBe('e1');
    const { counts, latency } = tally.counts(1, 0);
    expect(counts).toMatchObject({
      publishAccepted: 2,
      publishErrors: 2, // the 412 and the call SIPp failed
      publishSent: 4,
      notifies: 4,
      notifiesInWindow: 3,
      lateNotifies: 1,
      changesOwed: 3, // p1 to 2 watchers, p2 to 1
      changesDelivered: 3,
      stale: 0,
      checked: 3,
      errorCodes: { '412': 1 },
    });
    expect(latency.summary().count).toBe(4);
    expect(latency.summary().maxMs).toBeCloseTo(1400, 0);
  });

  it('a watcher that has not shown its presentity\'s last accepted change is stale', () => {
    const tally = new SippTally();
    tally.addWatcherLines(1, [notify(1, 'p1', 100), notify(2, 'p1', 100)]);
    tally.startStep(1000, 2000);
    tally.addPublisherLines([accepted('p1', 1100, 'e1'), accepted('p1', 1600, 'e2')]);
    tally.addWatcherLines(1, [notify(1, 'p1', 1105, 1100), notify(1, 'p1', 1605, 1600), notify(2, 'p1', 1106, 1100)]);
    expect(tally.staleness()).toEqual({ checked: 2, stale: 1 });
    expect(tally.counts(0, 0).counts).toMatchObject({ changesOwed: 4, changesDelivered: 3 });
  });
});
