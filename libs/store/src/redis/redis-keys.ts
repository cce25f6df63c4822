/**
 * The Redis keyspace (ARCHITECTURE "Redis keyspace"). Every key of one
 * presentity carries the hash tag `{<aor>}` and every per-partition key
 * `{p:<n>}`, so each Lua script touches one hash slot (Redis Cluster safe).
 *
 *     pres:{aor}:doc        hash   rev, ver, part, doc, pubs   no TTL (tombstone: counters never go back)
 *     pres:{aor}:watchers   hash   subscription id -> watcher   no TTL (the owner expires them via the index)
 *     exp:{p:n}             zset   expiry member -> time ms     the partition's expiry index
 *     exp:{p:n}:rev         hash   presentity member -> pending revision (orders index writes; HLEN = presentities indexed)
 *     loc:{aor}             string bindings JSON               TTL = latest binding expiry
 *     dlg:{id}              string dialog JSON                 TTL = expiry + grace
 *     dlgcalls:{bucket}     hash   <Call-ID tag><dialog id> -> lapse   TTL = latest entry's (ops lookup by Call-ID; 4,096 buckets)
 *     lease:{p:n}           hash   owner, epoch, expiresAt      no TTL (the epoch must never repeat)
 *     members               zset   member -> lapse time ms
 *     user:{aor}            string user JSON (HA1s, never a password)   no TTL
 *     users                 zset   aor -> 0 (listing index, by AOR bytes) no TTL
 *     noncekey              string key nonces are signed with     no TTL (SET NX by the first caller)
 *     nc:{nonce}            hash   nc, lapse                      TTL = the nonce's remaining life
 *     authfail:{key}        hash   n, lapse                       TTL = failure window
 *     im:{aor}:offline      list   offline MESSAGE JSON, oldest first   TTL = newest message's time to live
 *     im:{aor}:seq          string id sequence of that queue     TTL = the same
 *     im:{aor}:lock         string who delivers the queue now    TTL = the lock's time
 *     im:pending            zset   aor -> 0 (recipients the sweep retries, paged by AOR bytes)   no TTL
 *     xcap:{aor}            hash   <auid>/<filename> -> <etag>\n<document>   no TTL (durable documents)
 *     xcap:{global}         hash   the global tree's, likewise (an AOR is never `global`)
 *     xcapsvc:{uri}         string <claimedAt>\n<holder document>   no TTL: an rls-services service URI's claim (RFC 4826 §4.4.5)
 *
 * A tag is the text between the first `{` and the next `}`: an AOR holding
 * `}` gets a shorter tag, the same for all its keys, so they still share a
 * slot. The prefix must hold no braces, or it would become the tag.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new RangeError(`keyPrefix must not contain braces (they would become the hash tag): ${prefix}`);
  }

  presentity(aor: string): string {
    return `${this.prefix}pres:{${aor}}:doc`;
  }

  watchers(aor: string): string {
    return `${this.prefix}pres:{${aor}}:watchers`;
  }

  expiry(partition: number): string {
    return `${this.prefix}exp:{p:${partition}}`;
  }

  expiryRevisions(partition: number): string {
    return `${this.prefix}exp:{p:${partition}}:rev`;
  }

  bindings(aor: string): string {
    return `${this.prefix}loc:{${aor}}`;
  }

  dialog(subscriptionId: string): string {
    return `${this.prefix}dlg:{${subscriptionId}}`;
  }

  /** One of DIALOG_INDEX_BUCKETS hashes indexing dialogs by Call-ID (dialog-records.ts). */
  dialogIndex(bucket: number): string {
    return `${this.prefix}dlgcalls:{${bucket}}`;
  }

  lease(partition: number): string {
    return `${this.prefix}lease:{p:${partition}}`;
  }

  members(): string {
    return `${this.prefix}members`;
  }

  /** Tagged by AOR: the same slot as the presentity's keys, so user reads spread over the cluster. */
  user(aor: string): string {
    return `${this.prefix}user:{${aor}}`;
  }

  users(): string {
    return `${this.prefix}users`;
  }

  offlineQueue(aor: string): string {
    return `${this.prefix}im:{${aor}}:offline`;
  }

  offlineSequence(aor: string): string {
    return `${this.prefix}im:{${aor}}:seq`;
  }

  offlineLock(aor: string): string {
    return `${this.prefix}im:{${aor}}:lock`;
  }

  offlinePending(): string {
    return `${this.prefix}im:pending`;
  }

  nonceKey(): string {
    return `${this.prefix}noncekey`;
  }

  nonceCount(nonce: string): string {
    return `${this.prefix}nc:{${nonce}}`;
  }

  authFailures(key: string): string {
    return `${this.prefix}authfail:{${key}}`;
  }

  /** One owner's XCAP documents, each with its entity tag, in one hash so a read or a compare-and-set is one command. */
  xcapDocuments(scope: 'users' | 'global', owner: string): string {
    return `${this.prefix}xcap:{${xcapOwnerTag(scope, owner)}}`;
  }

  /** Who holds a service URI: its own slot, so claiming never needs the owner's (Redis Cluster). */
  xcapServiceClaim(uri: string): string {
    return `${this.prefix}xcapsvc:{${uri}}`;
  }
}

/** Canonical AORs carry a scheme (`sip:`), so `global` is never one. */
function xcapOwnerTag(scope: 'users' | 'global', owner: string): string {
  return scope === 'global' ? 'global' : owner;
}
