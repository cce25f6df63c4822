import type { OfflineMessage, OfflineMessages, OfflineQueueLimits, StoredMessage } from '@presence/core';
import { compareAors } from '../user-record-check.js';

/**
 * Offline MESSAGE queues per recipient, oldest first, like Redis
 * `im:{aor}:offline`, plus the per-recipient delivery locks. Ids are a
 * sequence, zero-padded so they sort as numbers; with a data directory the
 * sequence continues past the highest id loaded (OfflineMessageFiles).
 */
export class OfflineQueueTable {
  private readonly queues = new Map<string, OfflineMessage[]>();
  private readonly locks = new Map<string, { owner: string; until: number }>();
  private sequence = 0;

  /** A new message, or undefined when the recipient's live messages reach the cap (lapsed ones are dropped first). */
  admit(recipient: string, message: StoredMessage, limits: OfflineQueueLimits, now: number): OfflineMessage | undefined {
    const live = this.live(recipient, now).messages;
    if (live.length >= limits.maxMessages) return undefined;
    const id = String(++this.sequence).padStart(16, '0');
    return { ...message, id, storedAt: now, expiresAt: now + limits.ttlMs };
  }

  /** Appends a message admit() made (after it was written down, with a data directory) or one loaded from disk. */
  append(recipient: string, message: OfflineMessage): void {
    const queue = this.queues.get(recipient) ?? [];
    queue.push(message);
    this.queues.set(recipient, queue);
    const seq = Number(message.id);
    if (seq > this.sequence) this.sequence = seq;
  }

  /** Sorts every queue by id: files are loaded in directory order. */
  settle(): void {
    for (const queue of this.queues.values()) queue.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Live messages, oldest first; lapsed ones are dropped from the head and returned for the caller to forget. */
  live(recipient: string, now: number): OfflineMessages & { dropped: OfflineMessage[] } {
    const queue = this.queues.get(recipient) ?? [];
    let lapsed = 0;
    while (lapsed < queue.length && queue[lapsed]!.expiresAt <= now) lapsed++;
    const dropped = queue.splice(0, lapsed);
    if (queue.length === 0) this.queues.delete(recipient);
    return { messages: queue, expired: dropped.length, dropped };
  }

  remove(recipient: string, id: string): boolean {
    const queue = this.queues.get(recipient);
    const at = queue?.findIndex((m) => m.id === id) ?? -1;
    if (queue === undefined || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(recipient);
    return true;
  }

  /** In AOR byte order as Redis lists them (ZRANGEBYLEX), those after `after`. */
  recipients(limit: number, after?: string): string[] {
    const all = Array.from(this.queues.keys()).sort(compareAors);
    return (after === undefined ? all : all.filter((aor) => compareAors(aor, after) > 0)).slice(0, limit);
  }

  acquire(recipient: string, owner: string, ttlMs: number, now: number): boolean {
    const lock = this.locks.get(recipient);
    if (lock !== undefined && lock.until > now && lock.owner !== owner) return false;
    this.locks.set(recipient, { owner, until: now + ttlMs });
    return true;
  }

  release(recipient: string, owner: string): void {
    if (this.locks.get(recipient)?.owner === owner) this.locks.delete(recipient);
  }
}
