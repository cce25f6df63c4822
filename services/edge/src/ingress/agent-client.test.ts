import { LocalBus } from '@presence/bus';
import { createSubjects, decodeAgentRequest, encodeMessage, type AgentRequest } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { FakeClock } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient } from './agent-client.js';

const subjects = createSubjects('unit.');
const ALICE = 'sip:alice@example.com';

describe('agent client', () => {
  const bus = new LocalBus();
  afterEach(() => bus.close());

  it('agent client - stamps each request with the end of its attempt timeout as deadline', async () => {
    const clock = new FakeClock();
    const received: AgentRequest[] = [];
    bus.subscribe(subjects.agent(partitionOf(ALICE, 4)), (message) => {
      received.push(decodeAgentRequest(message.data));
      message.respond(encodeMessage({ v: 1, type: 'unsubscribed' }));
    });
    const client = new AgentClient(bus, subjects, { partitionCount: 4, timeoutMs: 2000, retryBudgetMs: 1000, retryAfterSeconds: 1, clock }, createPresenceMetrics({ processMetrics: false }));
    await client.unsubscribe(ALICE, 's1', 'expired');
    expect(received).toEqual([{ v: 1, type: 'unsubscribe', presentity: ALICE, subscriptionId: 's1', reason: 'expired', deadline: clock.now() + 2000 }]);
  });
});
