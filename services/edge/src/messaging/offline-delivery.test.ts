import { LocalBus } from '@presence/bus';
import { createSubjects } from '@presence/contracts';
import type { Binding, OfflineMessage, StoredMessage } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import type { SipResponse } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import { ContactDelivery } from './contact-delivery.js';
import { OfflineDelivery } from './offline-delivery.js';

const BOB = 'sip:bob@example.com';
const binding: Binding = { contact: 'sip:bob@192.0.2.7:5070', contactKey: 'k', expiresAt: Number.MAX_SAFE_INTEGER, callId: 'r', cseq: 1, edgeId: 'edge-a', flow: 'udp|0|5070|192.0.2.7' };
const stored = (n: number): StoredMessage => ({ from: '<sip:alice@example.com>;tag=a', to: `<${BOB}>`, callId: `c${n}`, cseq: n, date: 'Mon, 30 Nov 2026 00:00:00 GMT', body: Buffer.from(`m${n}`) });

/** One recipient's queue and delivery lock, as the store ports keep them (the real stores pass the contract tests). */
class QueueStore {
  readonly queue: OfflineMessage[] = [];
  lockOwner: string | undefined;
  /** Runs inside releaseDeliveryLock, before the lock goes: what another edge does at that moment. */
  beforeRelease: (() => Promise<void>) | undefined;
  private nextId = 1;

  async bindings(): Promise<Binding[]> {
    return [binding];
  }
  async store(message: StoredMessage): Promise<void> {
    this.queue.push({ ...message, id: String(this.nextId++).padStart(16, '0'), storedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER });
  }
  async storeOfflineMessage(_recipient: string, message: StoredMessage) {
    await this.store(message);
    return { stored: true as const, id: '', expired: 0 };
  }
  async offlineMessages(_recipient: string, limit: number) {
    return { messages: this.queue.slice(0, limit), expired: 0 };
  }
  async removeOfflineMessage(_recipient: string, id: string): Promise<void> {
    const at = this.queue.findIndex((m) => m.id === id);
    if (at >= 0) this.queue.splice(at, 1);
  }
  async offlineRecipients(): Promise<string[]> {
    return this.queue.length > 0 ? [BOB] : [];
  }
  async acquireDeliveryLock(_recipient: string, owner: string): Promise<boolean> {
    if (this.lockOwner !== undefined && this.lockOwner !== owner) return false;
    this.lockOwner = owner;
    return true;
  }
  async releaseDeliveryLock(_recipient: string, owner: string): Promise<void> {
    const hook = this.beforeRelease;
    this.beforeRelease = undefined;
    if (hook !== undefined) await hook();
    if (this.lockOwner === owner) this.lockOwner = undefined;
  }
}

function deliverer(store: QueueStore, edgeId: string, received: string[]): OfflineDelivery {
  const stack = {
    sendRequest: async (request: { body?: string | Uint8Array }) => {
      received.push(Buffer.from(request.body ?? '').toString('utf8'));
      return { status: 200, reason: 'OK' } as SipResponse;
    },
  };
  const delivery = new ContactDelivery({ stack, bus: new LocalBus(), subjects: createSubjects('t.'), edgeId, forwardTimeoutMs: 1000, logger: silentLogger });
  const deps = { store: store as never, delivery, clock: { now: () => 0 }, edgeId, metrics: createPresenceMetrics(), logger: silentLogger, sweepIntervalMs: 3_600_000, lockTtlMs: 60_000 };
  return new OfflineDelivery(deps);
}

describe('offline delivery', () => {
  it('offline - a message queued while another deliverer held the lock (its kick found it taken) is delivered once the lock goes, not left for the sweep', async () => {
    const store = new QueueStore();
    const received: string[] = [];
    const edgeA = deliverer(store, 'edge-a', received);
    const edgeB = deliverer(store, 'edge-b', received);
    await store.store(stored(1));
    // Edge A has emptied the queue and is about to let the lock go: edge B queues m2 behind it and kicks its own deliverer, which finds the lock taken.
    store.beforeRelease = async () => {
      await store.store(stored(2));
      await edgeB.sweepOnce(); // kicks bob's delivery on edge B and waits for it: the lock is edge A's
      expect(received).toEqual(['m1']);
    };
    await edgeA.sweepOnce();
    expect(received).toEqual(['m1', 'm2']);
    expect(store.queue).toEqual([]);
  });

  it('offline - a message queued while this edge delivers is delivered in the same run, in order', async () => {
    const store = new QueueStore();
    const received: string[] = [];
    const edge = deliverer(store, 'edge-a', received);
    await store.store(stored(1));
    store.beforeRelease = async () => {
      await store.store(stored(2));
      edge.recipientRegistered(BOB); // this edge's own kick, while its delivery still runs
    };
    await edge.sweepOnce();
    expect(received).toEqual(['m1', 'm2']);
  });
});
