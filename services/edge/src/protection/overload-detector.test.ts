import { describe, expect, it } from 'vitest';
import { OverloadDetector, type OverloadCause } from './overload-detector.js';

function detector(maxEventLoopLagMs = 200, maxPending = 100, holdMs = 1000) {
  const entries: OverloadCause[] = [];
  const overload = new OverloadDetector({ maxEventLoopLagMs, maxPending, holdMs }, (cause) => entries.push(cause));
  return { overload, entries };
}

describe('overload detector', () => {
  it('overload detector - enters above the lag bound, leaves only after staying below half of it for the hold time', () => {
    const { overload, entries } = detector();
    overload.observeEventLoopLag(150, 0);
    expect(overload.active).toBe(false);
    overload.observeEventLoopLag(250, 100);
    expect(overload.active).toBe(true);
    expect(entries).toEqual(['event_loop_lag']);
    overload.observeEventLoopLag(150, 200); // below the bound, not below half: stays
    overload.observeEventLoopLag(150, 5000);
    expect(overload.active).toBe(true);
    overload.observeEventLoopLag(50, 5100); // calm from here
    overload.observeEventLoopLag(50, 6000);
    expect(overload.active).toBe(true);
    overload.observeEventLoopLag(50, 6100);
    expect(overload.active).toBe(false);
  });

  it('overload detector - a spike during the hold time starts the hold again', () => {
    const { overload, entries } = detector();
    overload.observePending(101, 0);
    overload.observePending(10, 100);
    overload.observePending(80, 900); // not below half
    overload.observePending(10, 1000);
    overload.observePending(10, 1500);
    expect(overload.active).toBe(true);
    overload.observePending(10, 2000);
    expect(overload.active).toBe(false);
    expect(entries).toEqual(['pending']);
  });

  it('overload detector - either signal keeps it active; each entry is reported once', () => {
    const { overload, entries } = detector();
    overload.observePending(500, 0);
    overload.observePending(600, 10);
    overload.observeEventLoopLag(300, 20);
    overload.observePending(0, 30);
    overload.observePending(0, 2000);
    expect(overload.active).toBe(true); // lag is still high
    overload.observeEventLoopLag(0, 2100);
    overload.observeEventLoopLag(0, 3100);
    expect(overload.active).toBe(false);
    expect(entries).toEqual(['pending', 'event_loop_lag']);
  });

  it('overload detector - a bound of 0 turns its signal off', () => {
    const { overload } = detector(0, 0);
    overload.observeEventLoopLag(1e9, 0);
    overload.observePending(1e9, 0);
    expect(overload.active).toBe(false);
  });
});
