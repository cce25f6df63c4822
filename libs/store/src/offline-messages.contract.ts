import type { Store, StoredMessage } from '@presence/core';
import { describe, expect, it } from 'vitest';

/** What the offline-message part of the Store contract needs from the suite around it. */
export interface OfflineContractContext {
  store(): Store;
  advance(ms: number): void;
  aor(user: string): string;
  /** Another store over the same data set (same Redis, same data directory); undefined where there is none. */
  reopen?(): Promise<Store>;
}

const SECOND = 1_000;
const LIMITS = { maxMessages: 3, ttlMs: 60 * SECOND };

export function message(n: number, rest: Partial<StoredMessage> = {}): StoredMessage {
  return { from: `<sip:alice@example.com>;tag=t${n}`, to: '<sip:bob@example.com>', callId: `call-${n}`, cseq: n, date: 'Sun, 29 Nov 2026 22:00:00 GMT', contentType: 'text/plain', body: Buffer.from(`hello ${n} ✓`), ...rest };
}

/** Store-and-forward of MESSAGEs (OfflineMessageStore), the same for every Store. */
export function offlineMessagesContract(ctx: OfflineContractContext): void {
  describe('offline messages', () => {
    it('offline messages - stored messages read back oldest first, with every field and an id each', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      const first = await store.storeOfflineMessage(bob, message(1), LIMITS);
      const second = await store.storeOfflineMessage(bob, message(2, { contentType: undefined }), LIMITS);
      expect(first.stored && second.stored).toBe(true);
      const { messages, expired } = await store.offlineMessages(bob, 10);
      expect(expired).toBe(0);
      expect(messages.map((m) => Buffer.from(m.body).toString('utf8'))).toEqual(['hello 1 ✓', 'hello 2 ✓']);
      expect(messages[0]).toMatchObject({ ...message(1), expiresAt: messages[0]!.storedAt + LIMITS.ttlMs });
      expect(messages[1]!.contentType).toBeUndefined();
      expect(new Set(messages.map((m) => m.id)).size).toBe(2);
      expect((await store.offlineMessages(bob, 1)).messages.map((m) => m.cseq)).toEqual([1]);
      expect((await store.offlineMessages(ctx.aor('nobody'), 10)).messages).toEqual([]);
    });

    it('offline messages - a body of any bytes (every octet, invalid UTF-8) reads back byte for byte', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.storeOfflineMessage(bob, message(1, { contentType: 'application/octet-stream', body: all }), LIMITS);
      await store.storeOfflineMessage(bob, message(2, { body: Buffer.alloc(0) }), LIMITS);
      const [binary, empty] = (await store.offlineMessages(bob, 10)).messages;
      expect(Buffer.compare(Buffer.from(binary!.body), all)).toBe(0);
      expect(empty!.body.length).toBe(0);
    });

    it('offline messages - past the cap a message is refused, never dropped silently; removing one makes room', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      for (let n = 1; n <= 3; n++) expect((await store.storeOfflineMessage(bob, message(n), LIMITS)).stored).toBe(true);
      expect(await store.storeOfflineMessage(bob, message(4), LIMITS)).toEqual({ stored: false, reason: 'full', expired: 0 });
      const [oldest] = (await store.offlineMessages(bob, 10)).messages;
      await store.removeOfflineMessage(bob, oldest!.id);
      await store.removeOfflineMessage(bob, oldest!.id); // unknown now: ignored
      expect((await store.storeOfflineMessage(bob, message(5), LIMITS)).stored).toBe(true);
      expect((await store.offlineMessages(bob, 10)).messages.map((m) => m.cseq)).toEqual([2, 3, 5]);
    });

    it('offline messages - a message lapses after its time to live: dropped and counted once', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      await store.storeOfflineMessage(bob, message(1), LIMITS);
      ctx.advance(30 * SECOND);
      await store.storeOfflineMessage(bob, message(2), LIMITS);
      ctx.advance(30 * SECOND);
      expect(await store.offlineMessages(bob, 10)).toMatchObject({ expired: 1, messages: [{ cseq: 2 }] });
      expect((await store.offlineMessages(bob, 10)).expired).toBe(0);
      ctx.advance(30 * SECOND);
      const outcome = await store.storeOfflineMessage(bob, message(3), LIMITS);
      expect(outcome).toMatchObject({ stored: true, expired: 1 });
    });

    it('offline messages - recipients with messages are listed for the sweep until their queue is empty', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      const carol = ctx.aor('carol');
      await store.storeOfflineMessage(bob, message(1), LIMITS);
      await store.storeOfflineMessage(carol, message(2), LIMITS);
      const listed = await store.offlineRecipients(1000);
      expect(listed).toEqual(expect.arrayContaining([bob, carol]));
      const [only] = (await store.offlineMessages(bob, 10)).messages;
      await store.removeOfflineMessage(bob, only!.id);
      expect(await store.offlineRecipients(1000)).not.toContain(bob);
      expect(await store.offlineRecipients(1000)).toContain(carol);
      expect(await store.offlineRecipients(0)).toEqual([]);
    });

    it('offline messages - the sweep pages through the recipients in AOR byte order', async () => {
      const store = ctx.store();
      const names = ['dave', 'amy', 'carl', 'bert', 'élise'].map((n) => ctx.aor(n));
      for (const [n, name] of names.entries()) await store.storeOfflineMessage(name, message(n), LIMITS);
      const ours = (list: string[]) => list.filter((aor) => names.includes(aor));
      const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const first = ours(await store.offlineRecipients(1000));
      expect(first).toEqual(sorted);
      expect(ours(await store.offlineRecipients(1000, sorted[1]))).toEqual(sorted.slice(2));
      expect(ours(await store.offlineRecipients(2, sorted[0]))).toEqual(sorted.slice(1, 3));
    });

    it('offline messages - one deliverer per recipient: the lock is refused to others until released or lapsed', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      expect(await store.acquireDeliveryLock(bob, 'edge-1', 10 * SECOND)).toBe(true);
      expect(await store.acquireDeliveryLock(bob, 'edge-1', 10 * SECOND)).toBe(true);
      expect(await store.acquireDeliveryLock(bob, 'edge-2', 10 * SECOND)).toBe(false);
      expect(await store.acquireDeliveryLock(ctx.aor('carol'), 'edge-2', 10 * SECOND)).toBe(true);
      await store.releaseDeliveryLock(bob, 'edge-2'); // not the holder: nothing changes
      expect(await store.acquireDeliveryLock(bob, 'edge-2', 10 * SECOND)).toBe(false);
      await store.releaseDeliveryLock(bob, 'edge-1');
      expect(await store.acquireDeliveryLock(bob, 'edge-2', 10 * SECOND)).toBe(true);
    });

    it('offline messages - a bad cap, time to live or limit is a RangeError', async () => {
      const store = ctx.store();
      const bob = ctx.aor('bob');
      await expect(store.storeOfflineMessage(bob, message(1), { maxMessages: 0, ttlMs: SECOND })).rejects.toThrow(RangeError);
      await expect(store.storeOfflineMessage(bob, message(1), { maxMessages: 1, ttlMs: 0 })).rejects.toThrow(RangeError);
      await expect(store.offlineMessages(bob, -1)).rejects.toThrow(RangeError);
      await expect(store.acquireDeliveryLock(bob, 'e', 0)).rejects.toThrow(RangeError);
    });
  });
}
