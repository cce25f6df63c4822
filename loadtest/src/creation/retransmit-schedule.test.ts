import { describe, expect, it } from 'vitest';
import { RetransmitSchedule } from './retransmit-schedule.js';

/** Runs the schedule on a 1 ms clock up to `untilMs`, returning when each item was resent. */
function resendTimes(schedule: RetransmitSchedule<string>, untilMs: number, answeredAt: Record<string, number> = {}): Record<string, number[]> {
  const times: Record<string, number[]> = {};
  for (let now = 0; now <= untilMs; now++) {
    schedule.due(now, (item) => {
      if (now >= (answeredAt[item] ?? Number.POSITIVE_INFINITY)) return false;
      (times[item] ??= []).push(now);
      return true;
    });
  }
  return times;
}

describe('RetransmitSchedule', () => {
  it('retransmit schedule - resends after T1, 2·T1, 4·T1, then every T2 (RFC 3261 Timer E)', () => {
    const schedule = new RetransmitSchedule<string>(500, 4000);
    schedule.schedule('a', 0);
    expect(resendTimes(schedule, 12_000).a).toEqual([500, 1500, 3500, 7500, 11_500]);
  });

  it('retransmit schedule - each request on its own clock, so requests sent apart are resent apart', () => {
    const schedule = new RetransmitSchedule<string>(500, 4000);
    schedule.schedule('a', 0);
    schedule.schedule('b', 30);
    schedule.schedule('c', 70);
    const times = resendTimes(schedule, 2000);
    expect(times).toEqual({ a: [500, 1500], b: [530, 1530], c: [570, 1570] });
  });

  it('retransmit schedule - an answered request is not resent and leaves the schedule when it falls due', () => {
    const schedule = new RetransmitSchedule<string>(500, 4000);
    schedule.schedule('a', 0);
    schedule.schedule('b', 0);
    const times = resendTimes(schedule, 5000, { a: 1000 });
    expect(times.a).toEqual([500]);
    expect(times.b).toEqual([500, 1500, 3500]);
    expect(schedule.size).toBe(1);
    schedule.clear();
    expect(schedule.size).toBe(0);
  });

  it('retransmit schedule - a late tick resends everything then due, once each', () => {
    const schedule = new RetransmitSchedule<string>(500, 4000);
    for (let i = 0; i < 5; i++) schedule.schedule(`r${i}`, i * 100);
    const resent: string[] = [];
    expect(schedule.due(2000, (item) => resent.push(item) > 0)).toBe(5);
    expect(resent).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(schedule.due(2999, () => true)).toBe(0);
    expect(schedule.due(3000, () => true)).toBe(5);
  });
});
