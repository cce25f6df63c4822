import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('periodic task - runs after the first delay, then every interval after each run ended', async () => {
    const starts: number[] = [];
    const task = new PeriodicTask({ intervalMs: 100, run: async () => void starts.push(Date.now()), onError: () => undefined });
    const t0 = Date.now();
    task.start(0);
    await vi.advanceTimersByTimeAsync(350);
    expect(starts.map((t) => t - t0)).toEqual([0, 100, 200, 300]);
    await task.stop();
  });

  it('periodic task - never overlaps: a slow run delays the next instead of stacking', async () => {
    let active = 0;
    let most = 0;
    const starts: number[] = [];
    const t0 = Date.now();
    const task = new PeriodicTask({
      intervalMs: 10,
      run: async () => {
        active++;
        most = Math.max(most, active);
        starts.push(Date.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 50));
        active--;
      },
      onError: () => undefined,
    });
    task.start(0);
    await vi.advanceTimersByTimeAsync(299);
    expect(most).toBe(1);
    expect(starts).toEqual([0, 60, 120, 180, 240]);
    await task.stop();
  });

  it('periodic task - survives a run that throws or rejects, reporting each', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const task = new PeriodicTask({
      intervalMs: 10,
      run: () => {
        n++;
        if (n === 1) throw new Error('sync');
        if (n === 2) return Promise.reject(new Error('async'));
        return Promise.resolve();
      },
      onError: (error) => errors.push((error as Error).message),
    });
    task.start(0);
    await vi.advanceTimersByTimeAsync(25);
    expect(errors).toEqual(['sync', 'async']);
    expect(n).toBe(3);
    await task.stop();
  });

  it('periodic task - stop cancels the armed timer and waits for the run under way', async () => {
    let runs = 0;
    let finished = false;
    const task = new PeriodicTask({
      intervalMs: 10,
      run: async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = true;
      },
      onError: () => undefined,
    });
    task.start(0);
    await vi.advanceTimersByTimeAsync(1);
    const stopped = task.stop();
    await vi.advanceTimersByTimeAsync(20);
    await stopped;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('periodic task - runNow runs at once and resolves once the run ended, with the next one armed', async () => {
    let runs = 0;
    const task = new PeriodicTask({ intervalMs: 100, run: async () => void runs++, onError: () => undefined });
    await task.runNow();
    expect(runs).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    await task.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
