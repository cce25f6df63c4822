import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUB_HANDLINGS } from '../rules/sub-handling.js';
import { type AuthorizationStanding, authorizationTransition } from './authorization-transition.js';

describe('authorizationTransition', () => {
  it('transition - a new subscription: pending, shown, neutral or rejected, with the winfo subscribe or rejected event', () => {
    expect(authorizationTransition(undefined, 'confirm')).toEqual({ standing: 'pending', winfo: { status: 'pending', event: 'subscribe' } });
    expect(authorizationTransition(undefined, 'allow')).toEqual({ standing: 'shown', winfo: { status: 'active', event: 'subscribe' } });
    expect(authorizationTransition(undefined, 'polite-block')).toEqual({ standing: 'neutral', winfo: { status: 'active', event: 'subscribe' } });
    expect(authorizationTransition(undefined, 'block')).toEqual({ standing: 'ended', change: 'rejected', winfo: { status: 'terminated', event: 'rejected' } });
  });

  it('transition - a pending watcher the rules now allow turns active at once (approved); a block rejects it', () => {
    expect(authorizationTransition('pending', 'allow')).toEqual({ standing: 'shown', change: 'activated', winfo: { status: 'active', event: 'approved' } });
    expect(authorizationTransition('pending', 'polite-block')).toEqual({ standing: 'neutral', change: 'activated', winfo: { status: 'active', event: 'approved' } });
    expect(authorizationTransition('pending', 'confirm')).toEqual({ standing: 'pending' });
    expect(authorizationTransition('pending', 'block')).toEqual({ standing: 'ended', change: 'rejected', winfo: { status: 'terminated', event: 'rejected' } });
  });

  it('transition - an active watcher: shown and neutral swap silently, confirm deactivates, block rejects', () => {
    expect(authorizationTransition('shown', 'polite-block')).toEqual({ standing: 'neutral' });
    expect(authorizationTransition('neutral', 'allow')).toEqual({ standing: 'shown' });
    expect(authorizationTransition('shown', 'confirm')).toEqual({ standing: 'ended', change: 'deactivated', winfo: { status: 'terminated', event: 'deactivated' } });
    expect(authorizationTransition('neutral', 'block')).toEqual({ standing: 'ended', change: 'rejected', winfo: { status: 'terminated', event: 'rejected' } });
  });

  it('transition property - an ended subscription stays ended and changes nothing; deciding the same again changes nothing', () => {
    const standings: AuthorizationStanding[] = ['pending', 'shown', 'neutral', 'ended'];
    fc.assert(
      fc.property(fc.constantFrom(...standings), fc.constantFrom(...SUB_HANDLINGS), (previous, next) => {
        const first = authorizationTransition(previous, next);
        if (previous === 'ended') expect(first).toEqual({ standing: 'ended' });
        expect(authorizationTransition(first.standing, next).change).toBeUndefined();
        expect(authorizationTransition(first.standing, next).winfo).toBeUndefined();
      }),
    );
  });
});
