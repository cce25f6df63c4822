import type { Clock, ExpiryIndex, WatcherStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { PeriodicTask, type Logger } from '@presence/runtime';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';
import type { WatcherStatusListener } from '../authorization/watcher-status-listener.js';
import { lapsedEvent } from '../handlers/subscribe-handler.js';

export interface ExpirySweeperOptions {
  readonly intervalMs: number;
  /** Bound on entries handled per partition per sweep. */
  readonly batch: number;
}

/**
 * Expires soft state from the store's per-partition expiry index (ARCHITECTURE
 * "Soft state and expiry"): publications past their time are dropped and the
 * presentity recomposed and announced (RFC 3903 §6: an expired publication no
 * longer contributes); lapsed watchers are removed from the watcher list and
 * announced on the winfo feed.
 * One sweep at a time; the next is scheduled when the previous finished.
 */
export class ExpirySweeper {
  private readonly task: PeriodicTask;

  constructor(
    private readonly store: ExpiryIndex & WatcherStore,
    private readonly updater: PresentityUpdater,
    private readonly partitions: () => readonly number[],
    private readonly clock: Clock,
    private readonly options: ExpirySweeperOptions,
    private readonly metrics: PresenceMetrics,
    logger: Logger,
    private readonly listener: WatcherStatusListener,
  ) {
    this.task = new PeriodicTask({
      intervalMs: options.intervalMs,
      run: () => this.sweep(),
      onError: (error) => logger.error({ err: error }, 'expiry sweep failed; retrying next interval'),
    });
  }

  /** Sweeps at once (state may have lapsed while nobody served it), then every interval. */
  start(): void {
    this.task.start(0);
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over every owned partition; exposed so tests and shutdown can drive it. */
  async sweep(): Promise<void> {
    for (const partition of this.partitions()) {
      const due = await this.store.dueExpiries(partition, this.clock.now(), this.options.batch);
      for (const entry of due) {
        if (entry.kind === 'watcher') {
          const removed = await this.store.removeWatcher(partition, entry.presentity, entry.subscriptionId);
          this.metrics.expirySweeps.inc({ kind: 'watcher' });
          // The edge holding the dialog normally ends it first; this is the backstop (its edge died, say).
          if (removed) this.listener.onWatcherStatus({ before: removed, after: undefined, event: lapsedEvent(removed) });
        } else {
          await this.updater.expire(entry.presentity, partition);
        }
      }
    }
  }
}
