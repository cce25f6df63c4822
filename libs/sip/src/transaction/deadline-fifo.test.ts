import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineFifo, NO_TIMER } from './deadline-fifo.js';

interface Entry {
  readonly id: number;
}

/** A fifo recording when each entry fired, in fake-clock ms. */
function recorder(delay: number): { fifo: DeadlineFifo<Entry>; fired: [number, number][] } {
  const fired: [number, number][] = [];
  const fifo = new DeadlineFifo<Entry>(delay, (e) => fired.push([e.id, performance.now()]));
  return { fifo, fired };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineFifo', () => {
  it('fires each entry its delay after it was scheduled, in order, from one Node timer', () => {
    const { fifo, fired } = recorder(100);
    fifo.schedule({ id: 1 });
    vi.advanceTimersByTime(30);
    fifo.schedule({ id: 2 });
    fifo.schedule({ id: 3 });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(69);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([[1, 100]]);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual([[1, 100], [2, 130], [3, 130]]);
    expect(vi.getTimerCount()).toBe(0);
    expect(fifo.size).toBe(0);
  });

  it('cancel skips the entry; a stale handle (fired, or NO_TIMER) cancels nothing', () => {
    const { fifo, fired } = recorder(10);
    const a = fifo.schedule({ id: 1 });
    const b = fifo.schedule({ id: 2 });
    fifo.cancel(b);
    fifo.cancel(b);
    expect(fifo.size).toBe(1);
    vi.advanceTimersByTime(10);
    expect(fired.map(([id]) => id)).toEqual([1]);
    // the ring reuses slots: old handles must not reach the entries now in them
    fifo.schedule({ id: 3 });
    fifo.schedule({ id: 4 });
    fifo.cancel(a);
    fifo.cancel(b);
    fifo.cancel(NO_TIMER);
    vi.advanceTimersByTime(10);
    expect(fired.map(([id]) => id)).toEqual([1, 3, 4]);
  });

  it('keeps order and handles across growth and wrap-around', () => {
    const { fifo, fired } = recorder(50);
    const handles = new Map<number, number>();
    for (let id = 0; id < 300; id++) {
      handles.set(id, fifo.schedule({ id }));
      vi.advanceTimersByTime(1); // entries fire while others are added, so the ring wraps
    }
    for (let id = 0; id < 300; id += 3) fifo.cancel(handles.get(id)!);
    vi.advanceTimersByTime(50);
    const expected = [...Array(300).keys()].filter((id) => id < 250 || id % 3 !== 0);
    expect(fired.map(([id]) => id)).toEqual(expected);
    // due entries go together, up to 1 ms early (the tolerance for Node's early timers)
    for (const [id, at] of fired) expect(id + 50 - at).oneOf([0, 1]);
  });

  it('holds no Node timer once every entry is cancelled, and re-arms on the next schedule', () => {
    const { fifo, fired } = recorder(1000);
    const handles = [1, 2, 3].map((id) => fifo.schedule({ id }));
    expect(vi.getTimerCount()).toBe(1);
    for (const h of handles) fifo.cancel(h);
    expect(vi.getTimerCount()).toBe(0);
    fifo.schedule({ id: 4 });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([[4, 1000]]);
  });

  it('stop cancels everything; later schedules work', () => {
    const { fifo, fired } = recorder(10);
    const h = fifo.schedule({ id: 1 });
    fifo.schedule({ id: 2 });
    fifo.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(fifo.size).toBe(0);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
    fifo.cancel(h);
    fifo.schedule({ id: 3 });
    vi.advanceTimersByTime(10);
    expect(fired.map(([id]) => id)).toEqual([3]);
  });

  it('spreads a burst of due entries over several timer callbacks', () => {
    const { fifo, fired } = recorder(10);
    for (let id = 0; id < 5000; id++) fifo.schedule({ id });
    vi.advanceTimersToNextTimer();
    const first = fired.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(5000);
    vi.advanceTimersByTime(10);
    expect(fired.map(([id]) => id)).toEqual([...Array(5000).keys()]);
  });

  it('an entry may reschedule itself from fire()', () => {
    const times: number[] = [];
    const fifo: DeadlineFifo<Entry> = new DeadlineFifo<Entry>(20, (e) => {
      times.push(performance.now());
      if (times.length < 3) fifo.schedule(e);
    });
    fifo.schedule({ id: 1 });
    vi.advanceTimersByTime(100);
    expect(times).toEqual([20, 40, 60]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps firing the other entries after fire() throws', () => {
    const fired: number[] = [];
    const fifo = new DeadlineFifo<Entry>(10, (e) => {
      if (e.id === 1) throw new Error('boom');
      fired.push(e.id);
    });
    fifo.schedule({ id: 1 });
    vi.advanceTimersByTime(5);
    fifo.schedule({ id: 2 });
    expect(() => vi.advanceTimersByTime(10)).toThrow('boom');
    vi.advanceTimersByTime(10);
    expect(fired).toEqual([2]);
  });
});
