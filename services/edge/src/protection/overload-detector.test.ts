import { describe, expect, it } from 'vitest';
import { LAG_SAMPLES, OverloadDetector, type OverloadCause } from './overload-detector.js';

function detector(maxEventLoopLagMs = 200, maxPending = 100, holdMs = 1000) {
  const entries: OverloadCause[] = [];
  const overload = new OverloadDetector({ maxEventLoopLagMs, maxPending, holdMs }, (cause) => entries.push(cause));
  return { overload, entries };
}

/** LAG_SAMPLES samples of `lagMs`, the last at `nowMs`. */
function sustainLag(overload: OverloadDetector, lagMs: number, nowMs: number): void {
  for (let i = LAG_SAMPLES - 1; i >= 0; i--) overload.observeEventLoopLag(lagMs, nowMs - i);
}

describe('overload detector', () => {
  it('overload detector - one late timer is not overload; lag above the bound in LAG_SAMPLES samples in a row is', () => {
    const { overload } = detector();
    overload.observeEventLoopLag(5000, 0); // a GC pause, or the host ran something else
    overload.observeEventLoopLag(10, 100);
    overload.observeEventLoopLag(10, 200);
    overload.observeEventLoopLag(900, 300);
    overload.observeEventLoopLag(900, 400);
    expect(overload.active).toBe(false);
    overload.observeEventLoopLag(900, 500);
    expect(overload.active).toBe(true);
  });

  it('overload detector - enters above the lag bound, leaves only after staying below half of it for the hold time', () => {
    const { overload, entries } = detector();
    sustainLag(overload, 150, 0);
    expect(overload.active).toBe(false);
    sustainLag(overload, 250, 100);
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
    sustainLag(overload, 300, 20);
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
    sustainLag(overload, 1e9, 0);
    overload.observePending(1e9, 0);
    expect(overload.active).toBe(false);
  });
});
