import { partitionOf } from '@presence/core';
import type { Logger } from '@presence/runtime';
import type { PresentitySnapshot } from '@presence/contracts';
import type { PresentityChangeDelegate, PresentityInterest } from './presentity-interest.js';

/** Where current states come from (the agents). */
export interface StateSource {
  /** Current states of presentities of one partition. */
  fetchStates(presentities: readonly string[]): Promise<readonly PresentitySnapshot[]>;
}

/** Presentities per fetch request: bounds message size and agent work per request. */
const BATCH = 200;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;

/**
 * After the bus reconnects, events published meanwhile are lost for good:
 * re-fetch the state of everything watched here, per partition in batches,
 * and notify where the version moved (ARCHITECTURE "Fan-out details"). A
 * batch that fails (its partition has no owner yet, say) does not stop the
 * others and is retried with backoff until it succeeds or nobody here watches
 * those presentities any more, so no watcher is left stale.
 */
export class Resync {
  /** Set once while wiring (edge.ts): told of every presentity whose version moved. */
  delegate: PresentityChangeDelegate | undefined;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(
    private readonly interest: PresentityInterest,
    private readonly states: StateSource,
    private readonly partitionCount: number,
    private readonly logger: Logger,
  ) {}

  /** Re-fetch everything watched now (again from the start if a run is under way). */
  everything(): void {
    if (this.stopped) return;
    for (const presentity of this.interest.presentities()) this.pending.add(presentity);
    this.retryMs = FIRST_RETRY_MS;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      const failed = await this.fetchPending();
      if (failed > 0 && !this.stopped) {
        this.logger.warn({ presentities: failed, retryMs: this.retryMs }, 're-fetch after reconnect incomplete; retrying');
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (!this.running) this.running = this.run();
        }, this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      }
    } finally {
      this.running = undefined;
    }
  }

  /** One pass over what is pending; returns how many presentities are still pending. */
  private async fetchPending(): Promise<number> {
    const byPartition = new Map<number, string[]>();
    for (const presentity of this.pending) {
      if (!this.interest.isWatched(presentity)) {
        this.pending.delete(presentity);
        continue;
      }
      const partition = partitionOf(presentity, this.partitionCount);
      const list = byPartition.get(partition);
      if (list) list.push(presentity);
      else byPartition.set(partition, [presentity]);
    }
    for (const presentities of byPartition.values()) {
      for (let i = 0; i < presentities.length && !this.stopped; i += BATCH) {
        const batch = presentities.slice(i, i + BATCH);
        try {
          for (const state of await this.states.fetchStates(batch)) {
            this.pending.delete(state.presentity);
            if (this.interest.apply(state)) this.delegate?.onPresentityChanged(state.presentity);
          }
        } catch (error) {
          this.logger.debug({ err: error, presentities: batch.length }, 're-fetch batch failed');
        }
      }
    }
    return this.pending.size;
  }
}
