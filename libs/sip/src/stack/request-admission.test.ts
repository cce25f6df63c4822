import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestAdmission, STARTS_PER_TURN, type AdmissionLimits } from './request-admission.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setImmediate', 'clearImmediate'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Requests are numbers; each started one stays in flight until finish(n). */
function admission(limits: AdmissionLimits = {}) {
  let clock = 0;
  const started: number[] = [];
  const shed: [number, string][] = [];
  const finishers = new Map<number, () => void>();
  const queue = new RequestAdmission<number>(
    limits,
    {
      start: (n) => {
        started.push(n);
        return new Promise<void>((resolve) => finishers.set(n, resolve));
      },
      shed: (n, retryAfterS, cause) => shed.push([n, `${cause} (${retryAfterS} s)`]),
    },
    () => clock,
  );
  const turn = () => vi.runOnlyPendingTimers();
  const finish = async (n: number) => {
    finishers.get(n)!();
    await Promise.resolve();
    await Promise.resolve();
  };
  return { queue, started, shed, finish, turn, advance: (ms: number) => (clock += ms) };
}

describe('request admission', () => {
  it('admission - nothing starts while the reads of this turn go on; then a few per turn, in arrival order', () => {
    const { queue, started, turn } = admission();
    const total = 3 * STARTS_PER_TURN + 1;
    for (let n = 0; n < total; n++) queue.offer(n);
    expect(started).toEqual([]);
    expect(queue.queued).toBe(total);
    turn();
    expect(started).toEqual([...Array(STARTS_PER_TURN).keys()]);
    for (let i = 0; i < 3; i++) turn();
    expect(started).toEqual([...Array(total).keys()]);
    expect(queue.queued).toBe(0);
    expect(queue.running).toBe(total);
  });

  it('admission - at most maxInFlight run at once; each one that settles lets the next start', async () => {
    const { queue, started, finish, turn } = admission({ maxInFlight: 3 });
    for (let n = 0; n < 5; n++) queue.offer(n);
    turn();
    turn();
    expect(started).toEqual([0, 1, 2]);
    await finish(1);
    turn();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.running).toBe(3);
    await finish(0);
    await finish(2);
    turn();
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('admission - a handler that returns nothing does not count as in flight', () => {
    const started: number[] = [];
    const queue = new RequestAdmission<number>({ maxInFlight: 1 }, { start: (n) => (started.push(n), undefined), shed: () => {} });
    for (let n = 0; n < 3; n++) queue.offer(n);
    vi.runOnlyPendingTimers();
    expect(started).toEqual([0, 1, 2]);
    expect(queue.running).toBe(0);
  });

  it('admission - past maxQueued a request is answered 503 at once, with the configured Retry-After', () => {
    const { queue, shed, started, turn } = admission({ maxQueued: 2, retryAfterS: 7 });
    queue.offer(1);
    queue.offer(2);
    queue.offer(3);
    expect(shed).toEqual([[3, 'queue full (7 s)']]);
    turn();
    expect(started).toEqual([1, 2]);
  });

  it('admission - a request that waited longer than maxWaitMs is answered 503 instead of started', async () => {
    const { queue, shed, started, finish, turn, advance } = admission({ maxWaitMs: 100, maxInFlight: 1 });
    queue.offer(1);
    queue.offer(2);
    turn();
    expect(started).toEqual([1]);
    advance(40);
    queue.offer(3);
    advance(61);
    await finish(1);
    turn();
    expect(shed).toEqual([[2, 'waited too long (1 s)']]);
    expect(started).toEqual([1, 3]);
  });

  it('admission - a request arriving while the oldest waiting one has used half the wait budget is turned away at once', async () => {
    const { queue, shed, started, finish, turn, advance } = admission({ maxWaitMs: 100, maxInFlight: 1 });
    queue.offer(1);
    queue.offer(2);
    turn();
    advance(50);
    queue.offer(3); // 2 has waited exactly half: 3 may still wait
    advance(1);
    queue.offer(4); // 2 has waited past half: 4 would wait at least as long
    expect(shed).toEqual([[4, 'queue too slow (1 s)']]);
    await finish(1);
    turn();
    expect(started).toEqual([1, 2]);
  });

  it('admission - stop() drops what waits and starts nothing more', () => {
    const { queue, started, turn } = admission();
    queue.offer(1);
    queue.stop();
    queue.offer(2);
    turn();
    expect(started).toEqual([]);
    expect(queue.queued).toBe(0);
  });

  it('admission - limits must be positive integers', () => {
    const handler = { start: () => undefined, shed: () => {} };
    expect(() => new RequestAdmission({ maxInFlight: 0 }, handler)).toThrow(/maxInFlight must be a positive integer/);
    expect(() => new RequestAdmission({ maxWaitMs: 1.5 }, handler)).toThrow(/maxWaitMs/);
  });
});
