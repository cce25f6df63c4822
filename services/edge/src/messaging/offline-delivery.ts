import type { Clock, LocationStore, OfflineMessageStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { PeriodicTask, type Logger } from '@presence/runtime';
import type { ContactDelivery } from './contact-delivery.js';
import { forkToContacts } from './fork.js';
import { copyOfStored } from './message-copy.js';

export interface OfflineDeliveryDeps {
  readonly store: LocationStore & OfflineMessageStore;
  readonly delivery: ContactDelivery;
  readonly clock: Clock;
  readonly edgeId: string;
  readonly metrics: PresenceMetrics;
  readonly logger: Logger;
  /** Period of the sweep over recipients with stored messages. */
  readonly sweepIntervalMs: number;
  /** How long a deliverer holds a recipient's queue without renewing: longer than one message's transaction. */
  readonly lockTtlMs: number;
}

/** Messages read from the store per round trip. */
const BATCH = 50;
/** Recipients the sweep retries per run: bounds a run after a long outage. */
const RECIPIENTS_PER_SWEEP = 200;
/** Recipients queued here for delivery at once; more wait for the sweep. */
const MAX_PENDING = 10_000;

/**
 * Sends stored MESSAGEs to a recipient that has a binding again: when it
 * registers (through this edge) and, for what that missed (a process killed
 * mid-delivery, a UA that did not answer), from a periodic sweep. One
 * deliverer per recipient in the whole cluster (the store's delivery lock,
 * with a time limit so a dead deliverer frees it), messages strictly in
 * order, each removed only after a 2xx (at least once: the UA drops a copy
 * it already has by Call-ID); the first that fails stops the round, so
 * none overtakes it.
 */
export class OfflineDelivery {
  private readonly running = new Map<string, Promise<void>>();
  /** Recipients told of again while their delivery ran here: it goes round once more, so nothing stored meanwhile waits for the sweep. */
  private readonly again = new Set<string>();
  private readonly sweep: PeriodicTask;
  private stopped = false;
  /** Where the sweep goes on: the last recipient of its previous page. */
  private cursor: string | undefined;

  constructor(private readonly deps: OfflineDeliveryDeps) {
    this.sweep = new PeriodicTask({
      intervalMs: deps.sweepIntervalMs,
      run: () => this.sweepOnce(),
      onError: (error) => deps.logger.warn({ err: error }, 'offline message sweep failed; retried at the next'),
    });
  }

  start(): void {
    this.sweep.start();
  }

  /** The recipient may be reachable now (it registered): deliver what waits for it, in the background. */
  recipientRegistered(recipient: string): void {
    if (this.stopped) return;
    if (this.running.has(recipient)) {
      this.again.add(recipient);
      return;
    }
    if (this.running.size >= MAX_PENDING) return;
    const work = this.deliverUntilSettled(recipient)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, recipient }, 'offline delivery failed; the sweep retries'))
      .finally(() => {
        this.running.delete(recipient);
        this.again.delete(recipient);
      });
    this.running.set(recipient, work);
  }

  /** One sweep run now (tests, and the periodic task). */
  async sweepOnce(): Promise<void> {
    const page = await this.deps.store.offlineRecipients(RECIPIENTS_PER_SWEEP, this.cursor);
    this.cursor = page.length < RECIPIENTS_PER_SWEEP ? undefined : page[page.length - 1];
    for (const recipient of page) {
      if (this.stopped) return;
      if ((await this.deps.store.bindings(recipient, this.deps.clock.now())).length > 0) this.recipientRegistered(recipient);
    }
    await Promise.all(this.running.values());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.sweep.stop();
    await Promise.all(this.running.values());
  }

  /**
   * Rounds until the queue was emptied with nothing left behind. A message
   * stored while a round ran (queued behind the ones being delivered) was
   * announced to a deliverer that could not take the lock — this one, on
   * this edge or another: so after letting the lock go the queue is looked
   * at again, and a message found there gets another round.
   */
  private async deliverUntilSettled(recipient: string): Promise<void> {
    for (;;) {
      this.again.delete(recipient);
      const drained = await this.deliverTo(recipient);
      if (this.stopped) return;
      if (this.again.has(recipient)) continue;
      if (!drained || (await this.deps.store.offlineMessages(recipient, 1)).messages.length === 0) return;
    }
  }

  /** One round under the lock; true when it ended with the queue empty (not stopped by a failure or a lost lock). */
  private async deliverTo(recipient: string): Promise<boolean> {
    const { store, edgeId, lockTtlMs } = this.deps;
    if (!(await store.acquireDeliveryLock(recipient, edgeId, lockTtlMs))) return false;
    try {
      for (;;) {
        if (this.stopped) return false;
        const outcome = await this.deliverBatch(recipient);
        if (outcome !== 'more') return outcome === 'empty';
      }
    } finally {
      await store.releaseDeliveryLock(recipient, edgeId);
    }
  }

  /** Delivers up to BATCH messages in order: 'more' when all went (read again), 'empty' when none waited, 'stopped' when one was not delivered. */
  private async deliverBatch(recipient: string): Promise<'more' | 'empty' | 'stopped'> {
    const { store, metrics } = this.deps;
    const { messages, expired } = await store.offlineMessages(recipient, BATCH);
    if (expired > 0) metrics.messagesExpired.inc(expired);
    for (const message of messages) {
      // Renewed before each message (each may take a whole transaction): lost, another deliverer goes on.
      if (this.stopped || !(await store.acquireDeliveryLock(recipient, this.deps.edgeId, this.deps.lockTtlMs))) return 'stopped';
      const bindings = await store.bindings(recipient, this.deps.clock.now());
      if (bindings.length === 0) return 'stopped';
      const result = await forkToContacts(this.deps.delivery, bindings, copyOfStored(message));
      if (!result.delivered) {
        this.deps.logger.info({ recipient, status: result.status }, 'stored MESSAGE not delivered; kept for a later try');
        return 'stopped';
      }
      await store.removeOfflineMessage(recipient, message.id);
      metrics.messagesDelivered.inc({ path: 'offline' });
    }
    return messages.length === 0 ? 'empty' : 'more';
  }
}
