import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUSY_LOOP_UTILIZATION, EventLoopUtilization, MAX_STARTS_PER_TURN, READS_PER_TURN, RequestAdmission, UTILIZATION_WINDOW_MS, type AdmissionLimits } from './request-admission.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setImmediate', 'clearImmediate'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Requests are numbers; each started one stays in flight until finish(n). The event loop counts as busy until setUtilization. */
function admission(limits: AdmissionLimits = {}) {
  let clock = 0;
  let utilization = 1;
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
    { utilization: () => utilization },
  );
  const turn = () => vi.runOnlyPendingTimers();
  const finish = async (n: number) => {
    finishers.get(n)!();
    await Promise.resolve();
    await Promise.resolve();
  };
  const setUtilization = (value: number) => (utilization = value);
  return { queue, started, shed, finish, turn, setUtilization, advance: (ms: number) => (clock += ms) };
}

describe('request admission', () => {
  it('admission - nothing starts while the reads of this turn go on; then a few per turn, one more each turn the reads keep up', () => {
    const { queue, started, turn } = admission();
    for (let n = 0; n < 40; n++) queue.offer(n);
    expect(started).toEqual([]);
    turn();
    const first = started.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(40);
    turn();
    expect(started).toHaveLength(2 * first + 1);
    expect(started).toEqual([...Array(started.length).keys()]);
    for (let i = 0; i < 5; i++) turn();
    expect(started).toHaveLength(40);
  });

  it('admission - a turn that read libuv\'s maximum (more wait in the socket) halves the starts, down to one', () => {
    const { queue, started, turn } = admission();
    for (let n = 0; n < 200; n++) queue.offer(n);
    const startsOfTurn = (backlogged: boolean): number => {
      const before = started.length;
      for (let i = 0; i < (backlogged ? READS_PER_TURN : 1); i++) queue.messageRead();
      turn();
      return started.length - before;
    };
    const calm = startsOfTurn(false);
    expect(startsOfTurn(true)).toBe(calm >>> 1);
    for (let i = 0; i < 10; i++) startsOfTurn(true);
    expect(startsOfTurn(true)).toBe(1);
    expect(startsOfTurn(false)).toBe(2);
  });

  it('admission - with CPU to spare (the loop idle a tenth of the window) a full read is a burst: the starts keep growing', () => {
    const { queue, started, turn, setUtilization } = admission();
    for (let n = 0; n < 400; n++) queue.offer(n);
    const startsOfTurn = (): number => {
      const before = started.length;
      for (let i = 0; i < READS_PER_TURN; i++) queue.messageRead();
      turn();
      return started.length - before;
    };
    setUtilization(BUSY_LOOP_UTILIZATION - 0.01);
    const first = startsOfTurn();
    expect(startsOfTurn()).toBe(first + 1);
    expect(startsOfTurn()).toBe(first + 2);
    // out of CPU: the same full reads halve the starts, as before
    setUtilization(BUSY_LOOP_UTILIZATION);
    expect(startsOfTurn()).toBe((first + 2) >>> 1);
  });

  it('admission - the loop utilization is measured in windows; a process not yet measured counts as busy', async () => {
    const loop = new EventLoopUtilization();
    expect(loop.utilization()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, UTILIZATION_WINDOW_MS + 20));
    // the loop slept in a timer through the window: far from busy
    expect(loop.utilization()).toBeLessThan(BUSY_LOOP_UTILIZATION);
  });

  it('admission - reads the screen turned away do not count: a turn of refused reads does not halve the starts', () => {
    const { queue, started, turn } = admission();
    for (let n = 0; n < 200; n++) queue.offer(n);
    const startsOfTurn = (screenedOut: number): number => {
      const before = started.length;
      for (let i = 0; i < READS_PER_TURN; i++) queue.messageRead();
      for (let i = 0; i < screenedOut; i++) queue.readScreenedOut();
      turn();
      return started.length - before;
    };
    const first = startsOfTurn(0);
    const halved = startsOfTurn(0);
    expect(halved).toBe(Math.max(1, first >>> 1));
    // 32 read, 31 of them refused by the screen: the socket kept up, one more starts.
    expect(startsOfTurn(READS_PER_TURN - 1)).toBe(halved + 1);
  });

  it('admission - never more than MAX_STARTS_PER_TURN in one turn', () => {
    const { queue, started, turn } = admission({ maxInFlight: 10_000, maxQueued: 10_000 });
    // enough that the starts per turn climb all the way (+1 per calm turn) before the queue runs dry
    for (let n = 0; n < MAX_STARTS_PER_TURN * MAX_STARTS_PER_TURN; n++) queue.offer(n);
    let most = 0;
    for (let i = 0; i < 2 * MAX_STARTS_PER_TURN; i++) {
      const before = started.length;
      turn();
      most = Math.max(most, started.length - before);
    }
    expect(most).toBe(MAX_STARTS_PER_TURN);
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
