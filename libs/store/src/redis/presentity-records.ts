import { randomUUID } from 'node:crypto';
import { type CommitOutcome, type PresentityChange, type PresentityState, type PresentityStore, earliestExpiry } from '@presence/core';
import { presentityMember } from '../expiry-member.js';
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
 * presentity's slot. The partition expiry index (another slot) is written by
 * that same script on a single Redis node; in a Redis Cluster it is kept by
 * PresentityIndex, whose comment gives the ordering that keeps it safe
 * without cross-slot atomicity.
 */
export class PresentityRecords implements PresentityStore {
  /**
   * Incarnations offered to a record that has none yet: this store's random
   * prefix and a counter, unique without a randomUUID() per commit (2.3 %
   * of an agent's time, for a value only a record's first commit keeps).
   */
  private readonly incarnationPrefix = `${randomUUID()}-`;
  private incarnationsOffered = 0;

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
    // One Redis node: the commit writes its index entry itself, one script instead of three (see commitIndexed).
    const indexed = !this.client.isCluster;
    const reply = indexed ? await this.commitIndexed(change, earliest) : await this.lowerThenCommit(change, earliest);

    if (reply[0] === 1) {
      const [, revision, version, previousPartition, incarnation] = reply;
      if (!indexed) {
        // The settle is sent now, so it precedes any later command of this client on the index's node, but the
        // commit is done without waiting for it: a change is announced one round trip sooner (see PresentityIndex).
        this.calls.inBackground(this.calls.bestEffort('commitPresentity settle', () => this.index.settle(partition, presentity, revision, earliest)));
      }
      if (previousPartition !== '' && Number(previousPartition) !== partition) {
        this.calls.inBackground(this.calls.bestEffort('commitPresentity move', () => this.index.settle(Number(previousPartition), presentity, revision, undefined)));
      }
      const publications = change.publications.map((publication) => ({ ...publication }));
      return { ok: true, state: { presentity, revision, version, incarnation, publications, document: change.document } };
    }

    const [, revision, version, storedPartition, incarnation, document = '', pubs = '[]'] = reply;
    const current: PresentityState = { presentity, revision, version, incarnation, publications: decodePublications(this.keys.presentity(presentity), pubs), document };
    if (!indexed && earliest !== undefined && (storedPartition === '' || Number(storedPartition) === partition)) {
      // Undo what step 1 may have lowered: the index ends as it was (see PresentityIndex).
      await this.calls.bestEffort('commitPresentity restore', () => this.index.settle(partition, presentity, revision, earliestExpiry(current.publications)));
    }
    return { ok: false, current };
  }

  /**
   * Steps 1 and 2 of PresentityIndex (a Redis Cluster): the commit waits for
   * the lower, because the two slots live on different nodes with no order
   * between them.
   */
  private async lowerThenCommit(change: PresentityChange, earliest: number | undefined): Promise<CommitReply> {
    if (earliest !== undefined) {
      await this.calls.run('commitPresentity', () => this.index.lower(change.partition, change.presentity, earliest, change.expectedRevision + 1));
    }
    return this.commit(change);
  }

  /**
   * On one Redis node a script may touch any key, so the commit and its
   * index entry are one script (commit-presentity.lua with the index keys): one write
   * and one reply instead of the lower, the commit and the settle. Socket
   * writes were 25 % of an agent's time with three per commit. The entry is
   * never late at any instant, trivially: it changes with the record.
   */
  private commitIndexed(change: PresentityChange, earliest: number | undefined): Promise<CommitReply> {
    return this.calls.run('commitPresentity', () =>
      this.scripts['commit-presentity'](
        [this.keys.presentity(change.presentity), ...this.index.keysOf(change.partition)],
        [...this.commitArgs(change), presentityMember(change.presentity), earliest ?? ''],
      ),
    ) as Promise<CommitReply>;
  }

  private commit(change: PresentityChange): Promise<CommitReply> {
    return this.calls.run('commitPresentity', () => this.scripts['commit-presentity']([this.keys.presentity(change.presentity)], this.commitArgs(change))) as Promise<CommitReply>;
  }

  /** ARGV 1-6 of both commit scripts. */
  private commitArgs(change: PresentityChange): Array<string | number> {
    return [change.expectedRevision, change.documentChanged ? '1' : '0', change.partition, change.document, encodePublications(change.publications), this.incarnationPrefix + (this.incarnationsOffered++).toString(36)];
  }

  private async read(presentity: string): Promise<PresentityState> {
    const key = this.keys.presentity(presentity);
    const fields = await this.calls.run('loadPresentity', () => this.client.hmget(key, ...PRESENTITY_READ_FIELDS));
    return decodePresentity(key, presentity, fields);
  }
}
