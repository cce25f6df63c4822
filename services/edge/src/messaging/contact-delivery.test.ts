import { LocalBus } from '@presence/bus';
import { createSubjects, decodeDeliverReply, encodeMessage } from '@presence/contracts';
import type { Binding } from '@presence/core';
import { silentLogger } from '@presence/runtime';
import type { OutgoingRequest, SendTarget, SipResponse } from '@presence/sip';
import { afterEach, describe, expect, it } from 'vitest';
import { ContactDelivery } from './contact-delivery.js';
import { DeliveryResponder } from './delivery-responder.js';

const subjects = createSubjects('t.');
const copy = { headers: { From: '<sip:alice@example.com>;tag=a', To: '<sip:bob@example.com>', 'Call-ID': 'c1', CSeq: '1 MESSAGE' }, body: Buffer.from('hi'), branchKey: 'im-key' };
const binding = (edgeId: string, flow: string): Binding => ({ contact: 'sip:bob@192.0.2.7:5070;transport=tcp', contactKey: 'k', expiresAt: Date.now() + 60_000, callId: 'r', cseq: 1, edgeId, flow });

/** A SIP stack's sending side that records what it was asked to send and answers `status`. */
function recordingSender(status: number) {
  const sent: { request: OutgoingRequest; target: SendTarget }[] = [];
  return {
    sent,
    sendRequest: async (request: OutgoingRequest, target: SendTarget) => {
      sent.push({ request, target });
      return { status, reason: status === 200 ? 'OK' : 'Busy Here' } as SipResponse;
    },
  };
}

describe('MESSAGE to a contact, wherever its flow lives', () => {
  const buses: LocalBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  const bus = () => {
    const b = new LocalBus();
    buses.push(b);
    return b;
  };

  it('forward - a stream flow of another edge goes over the bus; that edge sends on the flow and its UA\'s answer comes back', async () => {
    const shared = bus();
    const here = recordingSender(500);
    const there = recordingSender(486);
    const deps = { bus: shared, subjects, forwardTimeoutMs: 1000, logger: silentLogger };
    const delivery = new ContactDelivery({ ...deps, stack: here, edgeId: 'edge-a' });
    const responder = new DeliveryResponder(shared, subjects, 'edge-b', new ContactDelivery({ ...deps, stack: there, edgeId: 'edge-b' }), silentLogger);
    expect(await delivery.send(binding('edge-b', 'tcp|s|7'), copy)).toEqual({ status: 486, reason: 'Busy Here' });
    expect(here.sent).toEqual([]);
    expect(there.sent).toEqual([{ request: { method: 'MESSAGE', uri: binding('edge-b', '').contact, headers: copy.headers, body: Buffer.from('hi'), branchKey: 'im-key' }, target: { flow: 'tcp|s|7', uri: binding('edge-b', '').contact } }]);
    await responder.stop();
  });

  it('forward - UDP flows and our own flows are sent from here', async () => {
    const here = recordingSender(200);
    const delivery = new ContactDelivery({ bus: bus(), subjects, forwardTimeoutMs: 1000, logger: silentLogger, stack: here, edgeId: 'edge-a' });
    expect((await delivery.send(binding('edge-b', 'udp|0|5070|192.0.2.7'), copy)).status).toBe(200);
    expect((await delivery.send(binding('edge-a', 'tcp|s|7'), copy)).status).toBe(200);
    expect(here.sent.map((s) => s.target.flow)).toEqual(['udp|0|5070|192.0.2.7', 'tcp|s|7']);
  });

  it('forward - a gone edge is 480 for that branch, a silent one 408, never a rejection', async () => {
    const shared = bus();
    const delivery = new ContactDelivery({ bus: shared, subjects, forwardTimeoutMs: 50, logger: silentLogger, stack: recordingSender(200), edgeId: 'edge-a' });
    expect((await delivery.send(binding('edge-gone', 'ws|s|1'), copy)).status).toBe(480);
    shared.subscribe(subjects.edgeDeliver('edge-mute'), () => undefined);
    expect((await delivery.send(binding('edge-mute', 'ws|s|1'), copy)).status).toBe(408);
  });

  it('responder - a deliver request that does not decode is answered 400, not left to time out', async () => {
    const shared = bus();
    const responder = new DeliveryResponder(shared, subjects, 'edge-b', new ContactDelivery({ bus: shared, subjects, forwardTimeoutMs: 50, logger: silentLogger, stack: recordingSender(200), edgeId: 'edge-b' }), silentLogger);
    const garbage = encodeMessage({ v: 1, type: 'delivered', status: 200, reason: 'not a request' });
    const reply = decodeDeliverReply(await shared.request(subjects.edgeDeliver('edge-b'), garbage, { timeoutMs: 1000 }));
    expect(reply.status).toBe(400);
    await responder.stop();
  });
});
