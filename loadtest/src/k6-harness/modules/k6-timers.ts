import type { VuState } from '../vu-state.js';

/**
 * setTimeout and friends (k6/timers, also globals in k6): a pending timer keeps
 * the iteration alive; its callback runs on the VU's loop. Ids are numbers, as in k6.
 */
export function k6TimersModule(state: VuState): Record<string, unknown> {
  const timers = new Map<number, { handle: NodeJS.Timeout; release: () => void }>();
  let nextId = 1;

  function start(repeat: boolean, callback: (...args: unknown[]) => unknown, delay: number, args: unknown[]): number {
    if (typeof callback !== 'function') throw new TypeError('setTimeout/setInterval needs a function');
    const id = nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    const clear = (): void => {
      const timer = timers.get(id);
      if (timer === undefined) return;
      timers.delete(id);
      if (repeat) clearInterval(timer.handle);
      else clearTimeout(timer.handle);
      timer.release();
    };
    const release = state.loop.hold(clear);
    const fire = (): void => {
      if (!repeat) {
        timers.delete(id);
        state.loop.dispatch(() => callback(...args));
        release();
      } else state.loop.dispatch(() => callback(...args));
    };
    timers.set(id, { handle: repeat ? setInterval(fire, ms) : setTimeout(fire, ms), release });
    return id;
  }

  function clear(id: number): void {
    const timer = timers.get(id);
    if (timer === undefined) return;
    timers.delete(id);
    clearTimeout(timer.handle);
    clearInterval(timer.handle);
    timer.release();
  }

  const exports = {
    setTimeout: (callback: (...args: unknown[]) => unknown, delay: number, ...args: unknown[]) => start(false, callback, delay, args),
    setInterval: (callback: (...args: unknown[]) => unknown, delay: number, ...args: unknown[]) => start(true, callback, delay, args),
    clearTimeout: clear,
    clearInterval: clear,
  };
  return { ...exports, default: exports };
}
