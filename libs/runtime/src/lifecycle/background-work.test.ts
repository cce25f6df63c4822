import { describe, expect, it } from 'vitest';
import { BackgroundWork } from './background-work.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('background work', () => {
  it('background - drain waits for every piece, those started meanwhile too', async () => {
    const work = new BackgroundWork(10);
    const [first, second] = [gate(), gate()];
    expect(work.run(() => first.promise.then(() => void work.run(() => second.promise)))).toBe(true);
    const drained = work.drain(60_000);
    first.open();
    await Promise.resolve();
    second.open();
    expect(await drained).toBe(0);
    expect(work.size).toBe(0);
  });

  it('background - past the deadline drain gives up and says how many pieces were abandoned', async () => {
    const work = new BackgroundWork(10);
    const stuck = gate();
    work.run(() => stuck.promise);
    work.run(() => stuck.promise);
    expect(await work.drain(1)).toBe(2);
    stuck.open();
  });

  it('background - bounded: past the limit run refuses and starts nothing', async () => {
    const work = new BackgroundWork(2);
    const stuck = gate();
    let started = 0;
    const piece = () => {
      started++;
      return stuck.promise;
    };
    expect([work.run(piece), work.run(piece), work.run(piece)]).toEqual([true, true, false]);
    expect(started).toBe(2);
    expect(work.hasRoom).toBe(false);
    stuck.open();
    expect(await work.drain(60_000)).toBe(0);
    expect(work.hasRoom).toBe(true);
    expect(() => new BackgroundWork(0)).toThrow(/positive integer/);
  });
});
