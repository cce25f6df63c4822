import { describe, expect, it } from 'vitest';
import { NoSuchSubscriptionError } from '../errors/catalogue.js';
import {
  nextSubscriptionState,
  startSubscription,
  subscriptionStateHeader,
  type SubscriptionEvent,
  type SubscriptionState,
} from './subscription-state.js';

const NOW = 1_700_000_000_000;
const EXP = NOW + 3_600_000;

describe('startSubscription', () => {
  it('startSubscription - is active when authorized', () => {
    expect(startSubscription(EXP, true)).toEqual({ status: 'active', expiresAt: EXP });
  });

  it('startSubscription - is pending while authorization is undecided', () => {
    expect(startSubscription(EXP, false)).toEqual({ status: 'pending', expiresAt: EXP });
  });
});

describe('nextSubscriptionState', () => {
  const pending = startSubscription(EXP, false);
  const active = startSubscription(EXP, true);

  it('nextSubscriptionState - authorization moves pending to active', () => {
    expect(nextSubscriptionState(pending, { type: 'authorized' })).toEqual({ status: 'active', expiresAt: EXP });
    expect(nextSubscriptionState(active, { type: 'authorized' })).toEqual(active);
  });

  it('nextSubscriptionState - refresh sets the new expiry and keeps the status', () => {
    expect(nextSubscriptionState(active, { type: 'refreshed', expiresAt: EXP + 1 })).toEqual({
      status: 'active',
      expiresAt: EXP + 1,
    });
    expect(nextSubscriptionState(pending, { type: 'refreshed', expiresAt: EXP + 2 })).toEqual({
      status: 'pending',
      expiresAt: EXP + 2,
    });
  });

  it.each<[SubscriptionEvent['type'], string]>([
    ['unsubscribed', 'timeout'],
    ['expired', 'timeout'],
    ['rejected', 'rejected'],
    ['notify-failed', 'deactivated'],
    ['deactivated', 'deactivated'],
    ['gone', 'noresource'],
  ])('nextSubscriptionState - %s terminates with reason %s', (type, reason) => {
    for (const from of [pending, active]) {
      const next = nextSubscriptionState(from, { type } as SubscriptionEvent);
      expect(next).toEqual({ status: 'terminated', expiresAt: EXP, reason });
    }
  });

  it('nextSubscriptionState - terminated is final: every event is a 481', () => {
    const ended = nextSubscriptionState(active, { type: 'expired' });
    const events: SubscriptionEvent[] = [
      { type: 'authorized' },
      { type: 'refreshed', expiresAt: EXP },
      { type: 'unsubscribed' },
      { type: 'expired' },
      { type: 'rejected' },
      { type: 'notify-failed' },
      { type: 'deactivated' },
    ];
    for (const event of events) {
      expect(() => nextSubscriptionState(ended, event)).toThrow(NoSuchSubscriptionError);
    }
  });

  it('nextSubscriptionState - a fetch (initial SUBSCRIBE with Expires 0) yields terminated;reason=timeout', () => {
    for (const authorized of [true, false]) {
      const fetched = nextSubscriptionState(startSubscription(NOW, authorized), { type: 'unsubscribed' });
      expect(subscriptionStateHeader(fetched, NOW)).toBe('terminated;reason=timeout');
    }
  });
});

describe('subscriptionStateHeader', () => {
  it('subscriptionStateHeader - renders active and pending with remaining seconds', () => {
    expect(subscriptionStateHeader({ status: 'active', expiresAt: NOW + 3_600_000 }, NOW)).toBe('active;expires=3600');
    expect(subscriptionStateHeader({ status: 'pending', expiresAt: NOW + 60_000 }, NOW)).toBe('pending;expires=60');
  });

  it('subscriptionStateHeader - rounds remaining time up', () => {
    expect(subscriptionStateHeader({ status: 'active', expiresAt: NOW + 1_001 }, NOW)).toBe('active;expires=2');
    expect(subscriptionStateHeader({ status: 'active', expiresAt: NOW + 1 }, NOW)).toBe('active;expires=1');
  });

  it('subscriptionStateHeader - never renders a negative expiry', () => {
    expect(subscriptionStateHeader({ status: 'active', expiresAt: NOW - 5_000 }, NOW)).toBe('active;expires=0');
    expect(subscriptionStateHeader({ status: 'active', expiresAt: NOW - 1 }, NOW)).toBe('active;expires=0');
  });

  it('subscriptionStateHeader - renders terminated with its reason', () => {
    const state: SubscriptionState = { status: 'terminated', expiresAt: NOW, reason: 'rejected' };
    expect(subscriptionStateHeader(state, NOW)).toBe('terminated;reason=rejected');
    expect(subscriptionStateHeader({ status: 'terminated', expiresAt: NOW }, NOW)).toBe('terminated');
  });
});
