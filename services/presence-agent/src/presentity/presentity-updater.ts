import {
  KeyedQueue,
  ServiceUnavailableError,
  type Clock,
  type PresentityState,
  type PresentityStore,
  type Publication,
} from '@presence/core';
import type { ChangePublisher } from '../fanout/change-publisher.js';
import type { DocumentComposer } from './document-composer.js';


export interface PresentityMutation<T> {
  readonly publications: readonly Publication[];
  readonly result: T;
}

/** Attempts of load -> mutate -> compare-and-set before giving up with 503. */
const MAX_ATTEMPTS = 8;

/**
 * The one way a presentity changes: serialized per presentity, computed by a
 * pure mutation over the current state, recomposed only when the set of
 * published bodies moved, committed as a compare-and-set on the revision
 * (ARCHITECTURE: correctness must not depend on single ownership), and
 * announced with one change event when the composed document changed.
 */
export class PresentityUpdater {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: PresentityStore,
    private readonly composer: DocumentComposer,
    private readonly changes: ChangePublisher,
    private readonly clock: Clock,
  ) {}

  update<T>(presentity: string, partition: number, mutate: (state: PresentityState, now: number) => PresentityMutation<T>): Promise<T> {
    return this.queue.run(presentity, () => this.commitWithRetry(presentity, partition, mutate));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async commitWithRetry<T>(presentity: string, partition: number, mutate: (state: PresentityState, now: number) => PresentityMutation<T>): Promise<T> {
    let state = await this.store.loadPresentity(presentity);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const mutation = mutate(state, now);
      const document = sameComposition(state.publications, mutation.publications) && state.document !== ''
        ? state.document
        : this.composer.compose(presentity, mutation.publications);
      const outcome = await this.store.commitPresentity({
        presentity,
        partition,
        expectedRevision: state.revision,
        publications: mutation.publications,
        document,
        documentChanged: document !== state.document,
      });
      if (outcome.ok) {
        if (outcome.state.version !== state.version) this.changes.publish(partition, outcome.state, now);
        return mutation.result;
      }
      state = outcome.current;
    }
    throw new ServiceUnavailableError(`presentity ${presentity} changed concurrently ${MAX_ATTEMPTS} times`, 1);
  }
}

/** Same bodies published at the same times, in the same order: the composed document cannot differ. */
function sameComposition(before: readonly Publication[], after: readonly Publication[]): boolean {
  if (before.length !== after.length) return false;
  return before.every((p, i) => p.body === after[i]?.body && p.publishedAt === after[i]?.publishedAt);
}
