import type { PresentityState } from '../model/presentity-state.js';
import type { Publication } from '../model/publication.js';

/** The next state of a presentity, written only if its revision is still `expectedRevision`. */
export interface PresentityChange {
  readonly presentity: string;
  readonly partition: number;
  readonly expectedRevision: number;
  readonly publications: readonly Publication[];
  readonly document: string;
  /** True when `document` differs from the stored one: bumps `version`. */
  readonly documentChanged: boolean;
}

export type CommitOutcome =
  | { readonly ok: true; readonly state: PresentityState }
  | { readonly ok: false; readonly current: PresentityState };

/**
 * Publications and composed documents of presentities. Every change is a
 * compare-and-set on the revision; the store keeps the partition's expiry
 * index at the earliest publication expiry of the presentity.
 */
export interface PresentityStore {
  /** Current state; a presentity never seen has revision 0, version 0, no publications, empty document. */
  loadPresentity(presentity: string): Promise<PresentityState>;
  /** Current states of many presentities in one round trip (convergence after gaps). */
  loadPresentities(presentities: readonly string[]): Promise<PresentityState[]>;
  commitPresentity(change: PresentityChange): Promise<CommitOutcome>;
}
