import type { Binding } from '../model/binding.js';

/** Registrar location service (RFC 3261 §10). */
export interface LocationStore {
  /** Unexpired bindings of an AOR. */
  bindings(aor: string, now: number): Promise<Binding[]>;
  /** Replaces the AOR's bindings with `next` (already computed by the registrar rules); empty deletes. */
  replaceBindings(aor: string, next: readonly Binding[]): Promise<void>;
}
