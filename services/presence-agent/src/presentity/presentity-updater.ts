import {
  dropExpiredPublications,
  KeyedQueue,
  RecentMap,
  ServiceUnavailableError,
  type Clock,
  type CommitOutcome,
  type PresentityState,
  type PresentityStore,
  type Publication,
} from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { ChangePublisher } from '../fanout/change-publisher.js';
import type { DocumentComposer } from './document-composer.js';


export interface PresentityMutation<T> {
  readonly publications: readonly Publication[];
  readonly result: T;
}

/** Attempts of load -> mutate -> compare-and-set before giving up with 503. */
const MAX_ATTEMPTS = 8;
/** Presentities whose last committed state is remembered (the busiest publishers stay in). */
export const DEFAULT_RECENT_STATES = 20_000;
/** …and at most this many bytes of their documents and published bodies, so large documents cannot make it gigabytes. */
export const RECENT_STATES_MAX_BYTES = 32 * 1024 * 1024;
/** Per remembered state beyond its text: the record, its publications, the map entry. */
const STATE_OVERHEAD_BYTES = 512;

/** What remembering a state is taken to cost: its composed document and published bodies, and a fixed part. */
export function rememberedStateWeight(state: PresentityState): number {
  return state.publications.reduce((sum, p) => sum + p.body.length, state.document.length + STATE_OVERHEAD_BYTES);
}

/**
 * The one way a presentity changes: serialized per presentity, computed by a
 * pure mutation over the current state, recomposed only when the set of
 * published bodies moved, committed as a compare-and-set on the revision
 * (ARCHITECTURE: correctness must not depend on single ownership), and
 * announced with one change event when the composed document changed.
 */
export class PresentityUpdater {
  private readonly queue = new KeyedQueue();
  /**
   * The state this agent last committed per presentity, so a change needs
   * one store round trip (the compare-and-set) instead of two. An entry can
   * only be stale if another agent wrote since (a partition hand-over); the
   * CAS then fails and returns the current state, so staleness costs a
   * retry, never a lost update. Reads for SUBSCRIBE and fetch still go to
   * the store: they have no CAS to catch a stale answer.
   */
  private readonly recent: RecentMap<string, PresentityState>;

  constructor(
    private readonly store: PresentityStore,
    private readonly composer: DocumentComposer,
    private readonly changes: ChangePublisher,
    private readonly clock: Clock,
    private readonly metrics: PresenceMetrics,
    recentStates = DEFAULT_RECENT_STATES,
  ) {
    this.recent = new RecentMap(recentStates, { max: RECENT_STATES_MAX_BYTES, weigh: (_presentity, state) => rememberedStateWeight(state) });
  }

  update<T>(presentity: string, partition: number, mutate: (state: PresentityState, now: number) => PresentityMutation<T>): Promise<T> {
    return this.queue.run(presentity, async () => (await this.commitWithRetry(presentity, partition, mutate)).result);
  }

  /**
   * Current state, never counting a lapsed publication (RFC 3903 §6): if the
   * sweep has not reached it yet, it is expired here first, through the same
   * ordered update (recomposed, announced), before the state is returned.
   */
  async current(presentity: string, partition: number): Promise<PresentityState> {
    return this.fresh(await this.store.loadPresentity(presentity), partition);
  }

  /** `current` for a state the caller loaded itself (with a watcher put, in one store step). */
  currentFrom(loaded: PresentityState, partition: number): Promise<PresentityState> {
    return this.fresh(loaded, partition);
  }

  /** `current` for many presentities, loaded in one store round trip. */
  async currentMany(presentities: readonly string[], partitionOf: (presentity: string) => number): Promise<PresentityState[]> {
    const states = await this.store.loadPresentities(presentities);
    return Promise.all(states.map((state) => this.fresh(state, partitionOf(state.presentity))));
  }

  private async fresh(state: PresentityState, partition: number): Promise<PresentityState> {
    const now = this.clock.now();
    if (!state.publications.some((p) => p.expiresAt <= now)) return state;
    return this.expire(state.presentity, partition);
  }

  /** Drops the lapsed publications of a presentity; returns the resulting state. */
  async expire(presentity: string, partition: number): Promise<PresentityState> {
    const { result: expired, state } = await this.queue.run(presentity, () =>
      this.commitWithRetry(presentity, partition, (current, now) => {
        const { kept, expired: lapsed } = dropExpiredPublications(current.publications, now);
        return { publications: kept, result: lapsed.length };
      }),
    );
    this.metrics.expirySweeps.inc({ kind: 'publication' }, expired);
    return state;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async commitWithRetry<T>(
    presentity: string,
    partition: number,
    mutate: (state: PresentityState, now: number) => PresentityMutation<T>,
  ): Promise<{ result: T; state: PresentityState }> {
    const remembered = this.recent.get(presentity);
    let state = remembered ?? (await this.store.loadPresentity(presentity));
    let fromStore = remembered === undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      let mutation: PresentityMutation<T>;
      try {
        mutation = mutate(state, now);
      } catch (error) {
        // A refusal (e.g. 412, unknown entity-tag) must be judged on the stored state, not a remembered one.
        if (fromStore) throw error;
        state = await this.store.loadPresentity(presentity);
        fromStore = true;
        continue;
      }
      const document = sameComposition(state.publications, mutation.publications) && state.document !== ''
        ? state.document
        : this.composer.compose(presentity, mutation.publications);
      const outcome = await this.commit(presentity, partition, state, mutation.publications, document);
      if (outcome.ok) {
        // A presentity left without publications is mostly gone for good (its users moved on): not worth remembering.
        if (outcome.state.publications.length === 0) this.recent.delete(presentity);
        else this.recent.set(presentity, outcome.state);
        if (outcome.state.version !== state.version) await this.changes.publish(partition, outcome.state, now);
        return { result: mutation.result, state: outcome.state };
      }
      state = outcome.current;
      fromStore = true;
    }
    throw new ServiceUnavailableError(`presentity ${presentity} changed concurrently ${MAX_ATTEMPTS} times`, 1);
  }

  private async commit(presentity: string, partition: number, state: PresentityState, publications: readonly Publication[], document: string): Promise<CommitOutcome> {
    try {
      return await this.store.commitPresentity({
        presentity,
        partition,
        expectedRevision: state.revision,
        publications,
        document,
        documentChanged: document !== state.document,
      });
    } catch (error) {
      // Whether it landed is unknown: start from the store next time.
      this.recent.delete(presentity);
      throw error;
    }
  }
}

/** Same bodies published at the same times, in the same order: the composed document cannot differ. */
function sameComposition(before: readonly Publication[], after: readonly Publication[]): boolean {
  if (before.length !== after.length) return false;
  return before.every((p, i) => p.body === after[i]?.body && p.publishedAt === after[i]?.publishedAt);
}
