import { presentityMember } from '../expiry-member.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/**
 * Keeps a presentity's entry in its partition's expiry index (`exp:{p:n}`)
 * at the earliest expiry of its publications, although the index lives in
 * another hash slot than the presentity and so cannot be written by the
 * commit script itself (Redis Cluster: a script touches one slot).
 *
 * The invariant that makes this safe: **for a presentity with publications,
 * the index entry is never later than its earliest publication expiry**,
 * at any instant, whoever crashes where. An entry that is too early, or an
 * entry for a presentity with no publications, is harmless: the owner's
 * sweep loads the presentity, drops what really expired (maybe nothing)
 * and commits, and that commit puts the entry where it belongs. An entry
 * that is too late (or missing) would let a publication outlive its
 * expiry: that is what the ordering rules out.
 *
 * A commit of revision r with earliest expiry e runs three steps:
 *
 * 1. lower (before the commit, only when the commit has publications): the
 *    entry becomes min(entry, e), and `exp:{p:n}:rev` records r as pending.
 * 2. commit (the compare-and-set script on the presentity's slot).
 * 3. settle (after it): the entry becomes exactly e (or is removed when the
 *    presentity has no publications left), unless a revision newer than r
 *    is pending. A failed commit settles the state it found instead, so the
 *    index ends as it was.
 *
 * Why the invariant holds: a commit only makes the stored earliest expiry
 * e after step 1 put the entry at or below e. Later, only settle can raise
 * the entry, and settle of revision r passes only if no revision above r
 * is pending; any commit that replaces r with publications first marks its
 * revision pending (step 1) and only then commits (a commit that leaves no
 * publications needs no mark: no entry can be late for a presentity with
 * none). So a settle that passes while the presentity has publications
 * carries the stored revision itself, and writes its exact value. A crash between 1
 * and 2 leaves an early entry (harmless); between 2 and 3, an entry at or
 * below e (harmless, the sweep fixes it). Settles that arrive late, out of
 * order, or after a newer commit are skipped, so concurrent committers
 * (overlapping owners during a lease handover) cannot leave a late entry
 * behind either. Pending marks are removed with the entry, so the side
 * hash only holds presentities that have an entry.
 *
 * These steps are a Redis Cluster's, where the two slots may live on
 * different nodes with no order between them: the commit waits for the
 * lower's reply. On a single Redis node the commit script writes the entry
 * itself (commit-presentity.lua given the index keys, one atomic step); it still honours
 * a pending mark newer than its revision, left by a client on this path.
 *
 * Step 3 is best effort for the caller: once the commit succeeded, a
 * failed settle only leaves an early entry, so the store reports the
 * commit as done and logs the settle failure.
 */
export class PresentityIndex {
  constructor(
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
  ) {}

  lower(partition: number, presentity: string, earliest: number, pendingRevision: number): Promise<unknown> {
    return this.scripts['presentity-index-lower'](this.keysOf(partition), [presentityMember(presentity), earliest, pendingRevision]);
  }

  /** `earliest` undefined: the presentity has no publications at `revision`, the entry goes. */
  settle(partition: number, presentity: string, revision: number, earliest: number | undefined): Promise<unknown> {
    return this.scripts['presentity-index-settle'](this.keysOf(partition), [presentityMember(presentity), revision, earliest ?? '']);
  }

  /** The partition's index keys: the zset, then the pending-revision hash. */
  keysOf(partition: number): string[] {
    return [this.keys.expiry(partition), this.keys.expiryRevisions(partition)];
  }
}
