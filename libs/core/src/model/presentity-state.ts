import type { Publication } from './publication.js';

/**
 * Everything the owner of a presentity keeps for it. `revision` is the
 * compare-and-set token of the whole record; `version` counts changes of the
 * composed document only (what watchers see), so refreshes that change no
 * state do not look like gaps to the edges.
 */
export interface PresentityState {
  readonly presentity: string;
  readonly revision: number;
  readonly version: number;
  /**
   * Names the data set `version` counts in: a new one whenever the store lost
   * the record (Redis restarted without persistence, FLUSHALL, a new memory
   * store), so versions starting again from 1 are not mistaken for old ones.
   * '' for a presentity never seen.
   */
  readonly incarnation: string;
  readonly publications: readonly Publication[];
  /** Composed document as served to watchers (e.g. application/pidf+xml). */
  readonly document: string;
}
