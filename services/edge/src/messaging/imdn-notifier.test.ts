import { LocalBus } from '@presence/bus';
import { createSubjects } from '@presence/contracts';
import type { Binding, StoredMessage } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { BackgroundWork, silentLogger } from '@presence/runtime';
import type { SipResponse } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGING } from '../edge-config.js';
import { ContactDelivery } from './contact-delivery.js';
import { ImdnNotifier } from './imdn-notifier.js';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';
const binding: Binding = { contact: 'sip:alice@192.0.2.7:5070', contactKey: 'k', expiresAt: Number.MAX_SAFE_INTEGER, callId: 'r', cseq: 1, edgeId: 'edge-a', flow: 'udp|0|5070|192.0.2.7' };
const asking = Buffer.from(`From: <${ALICE}>\r\nTo: <${BOB}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: m-1\r\nimdn.Disposition-Notification: processing\r\nDateTime: 2026-11-30T00:00:00Z\r\n\r\nContent-Type: text/plain\r\n\r\nlater`);

/** Alice's bindings as each look at them finds them (the last answer repeats), and the notices stored for her. */
function aliceStore(looks: Binding[][]) {
  const stored: StoredMessage[] = [];
  let look = 0;
  return {
    stored,
    bindings: async () => looks[Math.min(look++, looks.length - 1)]!,
    storeOfflineMessage: async (_recipient: string, message: StoredMessage) => {
      stored.push(message);
      return { stored: true as const, id: '1', expired: 0 };
    },
  };
}

function notifier(store: ReturnType<typeof aliceStore>, reachable: string[]): ImdnNotifier {
  // No binding is ever delivered to here: a sender without one gets the notice stored.
  const stack = { sendRequest: async () => ({ status: 480, reason: 'Temporarily Unavailable' }) as SipResponse };
  const delivery = new ContactDelivery({ stack, bus: new LocalBus(), subjects: createSubjects('t.'), edgeId: 'edge-a', forwardTimeoutMs: 1000, logger: silentLogger });
  return new ImdnNotifier(store as never, delivery, DEFAULT_MESSAGING, { now: () => 0 }, createPresenceMetrics(), silentLogger, new BackgroundWork(10), (sender) => reachable.push(sender));
}

describe('imdn notifier', () => {
  it('imdn - a notice stored for a sender that registered while it was on its way is handed to delivery at once, not left to the sweep', async () => {
    const store = aliceStore([[], [binding]]);
    const reachable: string[] = [];
    await notifier(store, reachable).notify({ sender: ALICE, contentType: 'message/cpim', body: asking }, BOB, 'stored');
    expect(store.stored).toHaveLength(1);
    expect(reachable).toEqual([ALICE]);
  });

  it('imdn - a notice stored for a sender still without a binding waits for its REGISTER', async () => {
    const store = aliceStore([[]]);
    const reachable: string[] = [];
    await notifier(store, reachable).notify({ sender: ALICE, contentType: 'message/cpim', body: asking }, BOB, 'stored');
    expect(store.stored).toHaveLength(1);
    expect(reachable).toEqual([]);
  });
});
