/**
 * Cluster-wide state of digest authentication, so that any edge verifies what
 * another issued: the nonce key, the nonce counts already used (replay), and
 * failure counters (brute-force lockout). Every entry expires on its own.
 */
export interface AuthStateStore {
  /**
   * The key nonces are signed with: created at random by the first caller and
   * the same for every later caller (set-if-absent), until the store loses it.
   */
  nonceKey(): Promise<string>;
  /**
   * Records `nc` as used for `nonce` when it is above every count used before
   * with that nonce (RFC 7616 §3.4: a repeated or lower count is a replay) and
   * returns true; returns false and changes nothing otherwise. The record
   * lives `ttlMs` (the nonce's remaining lifetime).
   */
  acceptNonceCount(nonce: string, nc: number, ttlMs: number): Promise<boolean>;
  /**
   * Counts one failed authentication under `key` (a source address or a user,
   * already prefixed by the caller) and returns the count; the counter
   * expires `ttlMs` after this failure.
   */
  countAuthFailure(key: string, ttlMs: number): Promise<number>;
  /** The current failure count of `key` (0 when none or expired). */
  authFailures(key: string): Promise<number>;
  /** Forgets `key`'s failures (after a success). */
  clearAuthFailures(key: string): Promise<void>;
}
