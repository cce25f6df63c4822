import { createPresenceMetrics } from '@presence/metrics';
import { describe, expect, it } from 'vitest';
import { SubscriptionCaps } from './subscription-caps.js';
import { Tally } from './tally.js';

describe('Tally', () => {
  it('tally - counts per key and forgets a key at zero', () => {
    const tally = new Tally();
    tally.increment('a');
    tally.increment('a');
    tally.increment('b');
    expect([tally.get('a'), tally.get('b'), tally.size]).toEqual([2, 1, 2]);
    tally.decrement('a');
    tally.decrement('b');
    expect([tally.get('a'), tally.get('b'), tally.size]).toEqual([1, 0, 1]);
    tally.decrement('a');
    expect(tally.size).toBe(0);
  });
});

describe('SubscriptionCaps', () => {
  const setup = () => {
    const metrics = createPresenceMetrics({ processMetrics: false });
    return { metrics, caps: new SubscriptionCaps({ perWatcher: 2, perAddress: 3, retryAfterSeconds: 5 }, metrics) };
  };
  const refusals = async (metrics: ReturnType<typeof createPresenceMetrics>, limit: string) =>
    (await metrics.render()).split('\n').find((line) => line.startsWith(`presence_limit_refusals_total{limit="${limit}"}`));

  it('subscription caps - the watcher cap refuses with 403 and counts the refusal; another watcher passes', async () => {
    const { metrics, caps } = setup();
    caps.admit('sip:w@x', '10.0.0.1');
    caps.admit('sip:w@x', '10.0.0.1');
    expect(() => caps.admit('sip:w@x', '10.0.0.2')).toThrow(expect.objectContaining({ status: 403 }) as Error);
    expect(await refusals(metrics, 'subscriptions_per_watcher')).toMatch(/ 1$/);
    caps.admit('sip:v@x', '10.0.0.1');
    expect(await refusals(metrics, 'subscriptions_per_address')).toMatch(/ 0$/);
  });

  it('subscription caps - the address cap refuses with 503; a release makes room, and a refused request is not counted', async () => {
    const { metrics, caps } = setup();
    for (const watcher of ['a', 'b', 'c']) caps.admit(watcher, '10.0.0.1');
    expect(() => caps.admit('d', '10.0.0.1')).toThrow(expect.objectContaining({ status: 503 }) as Error);
    expect(caps.keys).toEqual({ watchers: 3, addresses: 1 });
    expect(await refusals(metrics, 'subscriptions_per_address')).toMatch(/ 1$/);
    caps.release('a', '10.0.0.1');
    caps.admit('d', '10.0.0.1');
  });

  it('subscription caps - the maps hold nothing once every dialog is released', () => {
    const { caps } = setup();
    caps.admit('a', '10.0.0.1');
    caps.count('b', '10.0.0.2');
    caps.release('a', '10.0.0.1');
    caps.release('b', '10.0.0.2');
    expect(caps.keys).toEqual({ watchers: 0, addresses: 0 });
  });
});
