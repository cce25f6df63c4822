import { NoSuchSubscriptionError } from '@presence/core';
import { mergeFilterSet, parseFilterDocument } from '@presence/policy';
import { describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import { fromDialogRecord, toDialogRecord } from './watcher-dialog.js';

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

  it('watcher dialog - its notification filter goes into the mirror and comes back on adoption (RFC 4660: a refresh elsewhere keeps it)', () => {
    const d = dialog();
    expect(toDialogRecord(d, 'edge-a').filter).toBeUndefined();
    d.filter = mergeFilterSet(undefined, parseFilterDocument('<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="b"><what><include>//basic</include></what></filter></filter-set>'));
    const record = toDialogRecord(d, 'edge-a');
    expect(record.filter).toBe(d.filter!.document);
    const adopted = fromDialogRecord(record, 'flow-b', '192.0.2.9', 'sip:edge-b');
    expect(adopted.filter?.digest).toBe(d.filter!.digest);
  });
});
