import { NoSuchSubscriptionError } from '@presence/core';
import { describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';

const dialog = () => testDialog();

describe('WatcherDialog', () => {
  it('watcher dialog - runs the core state machine on its own fields: refresh moves the expiry, the end is final (481 after)', () => {
    const d = dialog();
    expect(d.terminated).toBe(false);
    expect(d.transition({ type: 'refreshed', expiresAt: 5000 })).toEqual({ status: 'active', expiresAt: 5000 });
    expect(d.expiresAt).toBe(5000);
    expect(d.transition({ type: 'notify-failed' })).toEqual({ status: 'terminated', expiresAt: 5000, reason: 'deactivated' });
    expect(d.terminated).toBe(true);
    expect(() => d.transition({ type: 'expired' })).toThrow(NoSuchSubscriptionError);
  });

  it('watcher dialog - a transition leaves the pacing flags alone', () => {
    const d = dialog();
    d.dirty = true;
    d.inFlight = true;
    d.transition({ type: 'expired' });
    expect([d.dirty, d.inFlight, d.terminated]).toEqual([true, true, true]);
  });
});
