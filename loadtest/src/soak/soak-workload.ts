import type { SoakClient } from './soak-client.js';
import type { SoakStats } from './soak-stats.js';

/** The shape of the steady mixed load; the defaults are in soak-options.ts. */
export interface SoakWorkload {
  readonly presentities: number;
  readonly watchersPerPresentity: number;
  /** PUBLISH/s over all presentities. */
  readonly publishRate: number;
  readonly registerExpiresS: number;
  readonly subscribeExpiresS: number;
  readonly publishExpiresS: number;
  /** Mean life of a presentity (its AOR, watchers and publications) before a new one takes its place. */
  readonly presentityLifetimeS: number;
  /** Chance that a due subscription refresh ends the dialog instead, and a new one starts a moment later. */
  readonly dialogChurn: number;
}

/** What the watchers and publishers of a run share. */
export interface SoakContext {
  readonly client: SoakClient;
  readonly stats: SoakStats;
  readonly workload: SoakWorkload;
  readonly runId: string;
  readonly domain: string;
  /** Aborted when the soak ends: every loop stops at its next pause. */
  readonly signal: AbortSignal;
}

/** Waits `ms`, or less if `signal` aborts first; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `value` scaled by a uniform factor in [low, high): spreads timers so members do not move in lockstep. */
export function jitter(value: number, low = 0.8, high = 1.2): number {
  return value * (low + Math.random() * (high - low));
}

export const chance = (p: number): boolean => Math.random() < p;
