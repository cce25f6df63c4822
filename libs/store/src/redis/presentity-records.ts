import { randomUUID } from 'node:crypto';
import { type CommitOutcome, type PresentityChange, type PresentityState, type PresentityStore, earliestExpiry } from '@presence/core';
import type { PresentityIndex } from './presentity-index.js';
import type { RedisCalls } from './redis-calls.js';
import { decodePresentity, decodePublications, encodePublications, PRESENTITY_READ_FIELDS } from './redis-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/** The commit script's reply: ok, revision, version, partition, incarnation (and on a conflict, the stored document and publications). */
type CommitReply = [number, number, number, string, string, string?, string?];

/**
 * Presentities in `pres:{aor}:doc`: a compare-and-set commit script on the
 * presentity's slot; the partition expiry index (another slot) is kept by
 * PresentityIndex, whose comment gives the ordering that keeps it safe
 * without cross-slot atomicity.
 */
export class PresentityRecords implements PresentityStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly index: PresentityIndex,
  ) {}

  async loadPresentity(presentity: string): Promise<PresentityState> {
    return this.read(presentity);
  }

  async loadPresentities(presentities: readonly string[]): Promise<PresentityState[]> {
    // Sent together without waiting (pipelined on each connection; per node in a cluster).
    return Promise.all(presentities.map((presentity) => this.read(presentity)));
  }

  async commitPresentity(change: PresentityChange): Promise<CommitOutcome> {
    const { presentity, partition } = change;
    const earliest = earliestExpiry(change.publications);
    const reply = await this.lowerThenCommit(change, earliest);

    if (reply[0] === 1) {
      const [, revision, version, previousPartition, incarnation] = reply;
      // The settle is sent now, so it precedes any later command of this client on the index's node, but the
      // commit is done without waiting for it: a change is announced one round trip sooner (see PresentityIndex).
      this.calls.inBackground(this.calls.bestEffort('commitPresentity settle', () => this.index.settle(partition, presentity, revision, earliest)));
      if (previousPartition !== '' && Number(previousPartition) !== partition) {
        this.calls.inBackground(this.calls.bestEffort('commitPresentity move', () => this.index.settle(Number(previousPartition), presentity, revision, undefined)));
      }
      const publications = change.publications.map((publication) => ({ ...publication }));
      return { ok: true, state: { presentity, revision, version, incarnation, publications, document: change.document } };
    }

    const [, revision, version, storedPartition, incarnation, document = '', pubs = '[]'] = reply;
    const current: PresentityState = { presentity, revision, version, incarnation, publications: decodePublications(this.keys.presentity(presentity), pubs), document };
    if (earliest !== undefined && (storedPartition === '' || Number(storedPartition) === partition)) {
      // Undo what step 1 may have lowered: the index ends as it was (see PresentityIndex).
      await this.calls.bestEffort('commitPresentity restore', () => this.index.settle(partition, presentity, revision, earliestExpiry(current.publications)));
    }
    return { ok: false, current };
  }

  /**
   * Steps 1 and 2 of PresentityIndex. On one Redis node both scripts go
   * down this client's one connection, which Redis runs in order, so the
   * commit is sent right behind the lower instead of after its reply: one
   * round trip per commit instead of two (a round trip cost each agent
   * about a tenth of its time in socket writes). In a Redis Cluster the two
   * slots live on different nodes with no order between them: there the
   * commit waits. ioredis sends a script's source (EVAL) on its first use
   * on a connection, so a lower can only be refused alone after a SCRIPT
   * FLUSH; ioredis then resends it, and this waits for that, so the settle
   * the caller sends next still comes after it.
   */
  private async lowerThenCommit(change: PresentityChange, earliest: number | undefined): Promise<CommitReply> {
    if (earliest === undefined) return this.commit(change);
    const lower = this.calls.run('commitPresentity', () => this.index.lower(change.partition, change.presentity, earliest, change.expectedRevision + 1));
    if (this.client.isCluster) {
      await lower;
      return this.commit(change);
    }
    const [lowered, committed] = await Promise.allSettled([lower, this.commit(change)]);
    if (committed.status === 'rejected') throw lowered.status === 'rejected' ? lowered.reason : committed.reason;
    // A lower that failed while the commit behind it ran: the caller's settle (or restore) puts the entry right.
    if (lowered.status === 'rejected') this.calls.followUpFailed('commitPresentity lower', lowered.reason);
    return committed.value;
  }

  private commit(change: PresentityChange): Promise<CommitReply> {
    return this.calls.run('commitPresentity', () =>
      this.scripts['commit-presentity'](
        [this.keys.presentity(change.presentity)],
        [
          change.expectedRevision,
          change.documentChanged ? '1' : '0',
          change.partition,
          change.document,
          encodePublications(change.publications),
          randomUUID(),
        ],
      ),
    ) as Promise<CommitReply>;
  }

  private async read(presentity: string): Promise<PresentityState> {
    const key = this.keys.presentity(presentity);
    const fields = await this.calls.run('loadPresentity', () => this.client.hmget(key, ...PRESENTITY_READ_FIELDS));
    return decodePresentity(key, presentity, fields);
  }
}
