import { LocalBus } from '@presence/bus';
import { createSubjects, encodeMessage } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import { eventually } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { isNewer, PresentityInterest } from './presentity-interest.js';

const P = 'sip:alice@example.com';
const PARTITIONS = 16;

describe('isNewer - ordering by (incarnation, version)', () => {
  it('isNewer - within one incarnation only a higher version is newer', () => {
    expect(isNewer('A', 4, { incarnation: 'A', version: 3 })).toBe(true);
    expect(isNewer('A', 3, { incarnation: 'A', version: 3 })).toBe(false);
    expect(isNewer('A', 2, { incarnation: 'A', version: 3 })).toBe(false);
  });

  it('isNewer - another incarnation is newer whatever its version (the store counted again from 1)', () => {
    expect(isNewer('B', 1, { incarnation: 'A', version: 40 })).toBe(true);
    expect(isNewer('B', 1, { incarnation: '', version: 0 })).toBe(true);
  });

  it('isNewer - an empty incarnation (a presentity the store did not know yet) does not displace a known one', () => {
    expect(isNewer('', 0, { incarnation: 'A', version: 1 })).toBe(false);
  });

  it('isNewer - anything is newer than no state at all', () => {
    expect(isNewer('', 0, { incarnation: '', version: -1 })).toBe(true);
  });
});

describe('PresentityInterest - change events across a store incarnation', () => {
  const buses: LocalBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('interest - after the store lost its data, version 1 of the new incarnation replaces version 5 and is reported', async () => {
    const bus = new LocalBus();
    buses.push(bus);
    const subjects = createSubjects();
    const interest = new PresentityInterest(bus, subjects, PARTITIONS, createPresenceMetrics({ processMetrics: false }), silentLogger);
    const changed: string[] = [];
    interest.delegate = { onPresentityChanged: (presentity) => changed.push(presentity) };
    interest.acquire(P);
    expect(interest.apply({ presentity: P, version: 5, incarnation: 'old', document: 'five' })).toBe(true);

    const subject = subjects.change(partitionOf(P, PARTITIONS), P);
    const event = (version: number, incarnation: string, document: string) =>
      encodeMessage({ v: 1, type: 'change', presentity: P, version, incarnation, document, changedAt: 1 });
    bus.publish(subject, event(4, 'old', 'stale'));
    bus.publish(subject, event(1, 'new', 'after restart'));
    await eventually(() => expect(changed).toEqual([P]));
    const current = interest.current(P);
    expect(current?.incarnation).toBe('new');
    expect(current?.version).toBe(1);
    expect(Buffer.from(current?.body ?? []).toString()).toBe('after restart');

    expect(interest.apply({ presentity: P, version: 1, incarnation: 'new', document: 'again' })).toBe(false);
    expect(interest.apply({ presentity: P, version: 2, incarnation: 'new', document: 'two' })).toBe(true);
    interest.close();
  });
});
