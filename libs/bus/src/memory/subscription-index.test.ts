import { describe, expect, it, vi } from 'vitest';
import { LocalBus } from './local-bus.js';
import * as subjectMatch from './subject-match.js';

vi.mock('./subject-match.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./subject-match.js')>();
  return { ...original, matchesPattern: vi.fn(original.matchesPattern) };
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/*
 * An edge holds 100k+ literal subscriptions: a publish must look them up, not
 * scan them. Counted, not timed: only wildcard patterns may be tried one by
 * one, so the pattern matcher runs once per wildcard per publish, however many
 * literal subscriptions there are.
 */
describe('SubscriptionIndex through LocalBus', () => {
  it('20k literal subscriptions: each publish tries only the wildcard patterns', async () => {
    const bus = new LocalBus();
    const tried = vi.mocked(subjectMatch.matchesPattern);
    let received = 0;
    const subscriptions = [];
    for (let i = 0; i < 20_000; i++) subscriptions.push(bus.subscribe(`ps.${i % 256}.aor${i}`, () => void received++));
    let wildcardHits = 0;
    bus.subscribe('ps.*.wild', () => void wildcardHits++);
    tried.mockClear();

    for (let i = 0; i < 20_000; i += 10) bus.publish(`ps.${i % 256}.aor${i}`, bytes(''));
    for (let i = 1; i < 20_000; i += 2) subscriptions[i]!.unsubscribe();
    bus.publish('ps.7.wild', bytes(''));
    await tick();

    expect(received).toBe(2_000);
    expect(wildcardHits).toBe(1);
    expect(tried).toHaveBeenCalledTimes(2_001);

    received = 0;
    for (let i = 0; i < 20; i++) bus.publish(`ps.${i % 256}.aor${i}`, bytes(''));
    await tick();
    expect(received).toBe(10);
    await bus.close();
  }, 60_000);
});
