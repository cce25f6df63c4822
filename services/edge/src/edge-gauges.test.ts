import { createPresenceMetrics } from '@presence/metrics';
import type { SipStackStats } from '@presence/sip';
import { metricSamples, metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { sampleEdgeGauges } from './edge-gauges.js';

describe('edge gauges', () => {
  it('gauges - read from the stack and the dialog table at each render, not before; removed, they stop moving', async () => {
    const metrics = createPresenceMetrics({ processMetrics: false });
    let stats: SipStackStats = { connections: new Map([['tcp', 0], ['ws', 0]]), serverTransactions: 0, clientTransactions: 0, pendingRequests: new Map(), requestsInProgress: 0 };
    let dialogs = 0;
    let pending = 0;
    let contacts = 0;
    const stop = sampleEdgeGauges(metrics, { stack: { stats: () => stats }, subscriptions: () => dialogs, pendingSubscriptions: () => pending, registeredContacts: () => contacts });

    let text = await metrics.render();
    expect(metricSamples(text, 'presence_connections')).toEqual(['presence_connections{transport="tcp"} 0', 'presence_connections{transport="ws"} 0']);
    expect(metricSamples(text, 'presence_subscriptions')).toEqual(['presence_subscriptions{state="active"} 0', 'presence_subscriptions{state="pending"} 0']);
    expect(metricSamples(text, 'presence_notifies_in_flight')).toEqual(['presence_notifies_in_flight 0']);

    stats = { connections: new Map([['tcp', 3], ['ws', 1]]), serverTransactions: 5, clientTransactions: 7, pendingRequests: new Map([['NOTIFY', 4], ['OPTIONS', 1]]), requestsInProgress: 2 };
    dialogs = 12;
    pending = 3;
    contacts = 9;
    text = await metrics.render();
    expect(metricValue(text, 'presence_registered_contacts')).toBe(9);
    expect(metricValue(text, 'presence_connections', { transport: 'tcp' })).toBe(3);
    expect(metricValue(text, 'presence_connections', { transport: 'ws' })).toBe(1);
    expect(metricValue(text, 'presence_sip_transactions', { kind: 'server' })).toBe(5);
    expect(metricValue(text, 'presence_sip_transactions', { kind: 'client' })).toBe(7);
    expect(metricValue(text, 'presence_notifies_in_flight')).toBe(4);
    expect(metricValue(text, 'presence_subscriptions', { state: 'active' })).toBe(9);
    expect(metricValue(text, 'presence_subscriptions', { state: 'pending' })).toBe(3);

    stop();
    dialogs = 1;
    pending = 0;
    expect(metricValue(await metrics.render(), 'presence_subscriptions', { state: 'active' })).toBe(9);
  });
});
