/**
 * Waiting inside a k6 iteration. An iteration ends only when no timer is
 * pending, so every wait here clears its timer as soon as it is settled.
 */
import { clearTimeout, setTimeout } from 'k6/timers';

/** Something that happens once (an initial NOTIFY, a final state seen). */
export interface Signal {
  readonly fired: boolean;
  fire(): void;
  /** True once fired; false if `timeoutMs` passed first. */
  wait(timeoutMs: number): Promise<boolean>;
}

export function signal(): Signal {
  let fired = false;
  const waiters: Array<() => void> = [];
  return {
    get fired() {
      return fired;
    },
    fire() {
      if (fired) return;
      fired = true;
      for (const wake of waiters.splice(0)) wake();
    },
    wait(timeoutMs) {
      if (fired) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
