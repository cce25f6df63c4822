import { LocalBus } from '@presence/bus';
import { createPresenceMetrics } from '@presence/metrics';
import { createMemoryStore, StoreClosedError } from '@presence/store';
import { metricSamples, metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { meteredBus, meteredStore } from './backend-metrics.js';

const clock = { now: () => 1_800_000_000_000 };

describe('backend metrics', () => {
  it('store - every call is timed by operation, every failure counted; failure series exist at 0 for every operation', async () => {
    const metrics = createPresenceMetrics({ processMetrics: false });
    const inner = await createMemoryStore({ clock });
    const store = meteredStore(inner, metrics);
    let text = await metrics.render();
    expect(metricValue(text, 'presence_store_errors_total', { operation: 'commitPresentity' })).toBe(0);
    expect(metricSamples(text, 'presence_store_errors_total').length).toBeGreaterThan(20);

    await store.heartbeat('agent-1', 8_000);
    await store.liveMembers();
    await store.liveMembers();
    await inner.close();
    await expect(store.loadPresentity('sip:a@example.com')).rejects.toBeInstanceOf(StoreClosedError);

    text = await metrics.render();
    expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'liveMembers' })).toBe(2);
    expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'heartbeat' })).toBe(1);
    expect(metricValue(text, 'presence_store_operation_seconds_count', { operation: 'loadPresentity' })).toBe(1);
    expect(metricValue(text, 'presence_store_errors_total', { operation: 'loadPresentity' })).toBe(1);
    expect(metricValue(text, 'presence_store_errors_total', { operation: 'liveMembers' })).toBe(0);
  });

  it('bus - a failed publish or subscribe counts by operation', async () => {
    const metrics = createPresenceMetrics({ processMetrics: false });
    const inner = new LocalBus();
    const bus = meteredBus(inner, metrics);
    bus.publish('ps.1.x', new Uint8Array());
    await inner.close();
    expect(() => bus.publish('ps.1.x', new Uint8Array())).toThrow();
    expect(() => bus.subscribe('ps.1.x', () => undefined)).toThrow();
    expect(() => bus.subscribe('ps.1.y', () => undefined)).toThrow();
    const text = await metrics.render();
    expect(metricValue(text, 'presence_bus_errors_total', { operation: 'publish' })).toBe(1);
    expect(metricValue(text, 'presence_bus_errors_total', { operation: 'subscribe' })).toBe(2);
  });
});
