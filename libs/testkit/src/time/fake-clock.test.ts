import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('fake clock - advance fires due timers in time order, then arming order, each at its own time', () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimer(() => fired.push(`c@${clock.now()}`), 20);
    clock.setTimer(() => fired.push('late'), 31);
    clock.advance(30);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1020']);
    expect(clock.now()).toBe(1030);
    expect(clock.pending).toBe(1);
  });

  it('fake clock - a timer armed by a callback fires within the same advance when due', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimer(() => {
      fired.push(clock.now());
      clock.setTimer(() => fired.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });

  it('fake clock - cleared timers never fire; clearing twice or undefined is harmless', () => {
    const clock = new FakeClock(0);
    let fired = 0;
    const handle = clock.setTimer(() => fired++, 1);
    clock.clearTimer(handle);
    clock.clearTimer(handle);
    clock.clearTimer(undefined);
    clock.advance(10);
    expect(fired).toBe(0);
  });
});
