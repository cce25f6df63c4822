import { createHash } from 'node:crypto';
import { NoSuchSubscriptionError } from '@presence/core';
import { mergeFilterSet, parseFilterDocument } from '@presence/policy';
import { ownsItsCharacters } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import { dialogId, fromDialogRecord, toDialogRecord } from './watcher-dialog.js';

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

  it('dialog id - 24 base64url characters of SHA-256 over Call-ID and both tags, as every edge (and every earlier build) draws it: a mirror is found by it', () => {
    const id = dialogId('a84b4c76e66710@pc33.example.com', '1928301774', '9fxced76sl');
    const digest = createHash('sha256').update('a84b4c76e66710@pc33.example.com\u00001928301774\u00009fxced76sl').digest();
    expect(id).toBe(digest.toString('base64url', 0, 18));
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(dialogId('a84b4c76e66710@pc33.example.com', '9fxced76sl', '1928301774')).not.toBe(id);
  });

  it('dialog id - owns its 24 characters (a slice kept the whole digest alive in every record holding the id), and the dialog keeps that very string', () => {
    const id = dialogId('a84b4c76e66710@pc33.example.com', '1928301774', '9fxced76sl');
    expect(ownsItsCharacters(id)).toBe(true);
    expect(ownsItsCharacters('x'.repeat(43).slice(0, 24))).toBe(false);
    const record = toDialogRecord(dialog(), 'edge-a');
    const adopted = fromDialogRecord({ ...record, subscriptionId: `${id}-and-more`.slice(0, 24) }, 'flow-b', '192.0.2.9', 'sip:edge-b');
    expect(adopted.id).toBe(id);
    expect(ownsItsCharacters(adopted.id)).toBe(true);
  });
});
