import { describe, expect, it } from 'vitest';
import { SnapshotFormatError, decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';

describe('memory store snapshot codec', () => {
  const empty = { presentities: [], watchers: [], bindings: [], dialogs: [] };

  it('snapshot codec - round-trips a snapshot', () => {
    const snapshot = {
      ...empty,
      presentities: [{ presentity: 'sip:a@x', partition: 3, revision: 2, version: 1, incarnation: 'i-1', publications: [{ etag: 'e', expiresAt: 9, publishedAt: 1, contentType: 't', body: 'b' }], document: 'd' }],
      bindings: [{ aor: 'sip:a@x', bindings: [{ contact: '<sip:a@h>', contactKey: 'sip:a@h', expiresAt: 9, callId: 'c', cseq: 1, q: 0.5, edgeId: 'e' }] }],
    };
    expect(decodeSnapshot(encodeSnapshot(snapshot, 5))).toEqual(snapshot);
  });

  it('snapshot codec - a presentity written before incarnations existed reads without one (restored under a new one)', () => {
    const record = { presentity: 'sip:a@x', partition: 3, revision: 2, version: 1, publications: [], document: '' };
    const text = JSON.stringify({ format: 'presence-memory-store', formatVersion: 1, ...empty, presentities: [record] });
    expect(decodeSnapshot(text).presentities[0]?.incarnation).toBeUndefined();
  });

  it('snapshot codec - a wrong shape is a SnapshotFormatError naming the field', () => {
    const text = JSON.stringify({ format: 'presence-memory-store', formatVersion: 1, ...empty, watchers: [{ partition: 1, record: { presentity: 7 } }] });
    expect(() => decodeSnapshot(text)).toThrow(SnapshotFormatError);
    expect(() => decodeSnapshot(text)).toThrow('bad memory store snapshot: watchers[0].record.presentity: expected a string');
    expect(() => decodeSnapshot(JSON.stringify({ format: 'other', formatVersion: 1 }))).toThrow('format is not presence-memory-store');
    expect(() => decodeSnapshot('[]')).toThrow('bad memory store snapshot: expected an object');
  });
});
