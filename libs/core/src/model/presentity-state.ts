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
  readonly publications: readonly Publication[];
  /** Composed document as served to watchers (e.g. application/pidf+xml). */
  readonly document: string;
}
