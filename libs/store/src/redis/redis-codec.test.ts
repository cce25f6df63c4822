import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from './corrupt-record-error.js';
import type { DialogRecord, WatcherRecord } from '@presence/core';
import { decodeBindings, decodeDialog, decodePublications, decodeWatcher, encodeBindings, encodeDialog, encodeWatcher } from './redis-codec.js';

describe('redis codec', () => {
  const key = 'presence:pres:{sip:alice@example.com}:doc';

  it('codec - absent optional binding fields are stored as null and read back as absent', () => {
    const binding = { contact: '<sip:a@192.0.2.1>', contactKey: 'sip:a@192.0.2.1', expiresAt: 5, callId: 'c', cseq: 1, edgeId: 'e' };
    expect(decodeBindings(key, encodeBindings([binding, { ...binding, q: 0.5, flow: 'f' }]))).toEqual([binding, { ...binding, q: 0.5, flow: 'f' }]);
  });

  it('codec - a value this code did not write is a CorruptRecordError naming the key and the position', () => {
    expect(() => decodePublications(key, '[["e1", 5, 1, "application/pidf+xml", 7]]')).toThrow(`unreadable record at ${key}: [0][4]: expected a string`);
    expect(() => decodePublications(key, '{}')).toThrow(`unreadable record at ${key}: expected an array`);
    expect(() => decodePublications(key, 'not json')).toThrow(`unreadable record at ${key}: not JSON`);
    const watcher = encodeWatcher(7, { presentity: 'p', subscriptionId: 's', watcher: 'w', event: 'presence', status: 'active', edgeId: 'e', expiresAt: 5 });
    expect(() => decodeWatcher(key, 'p', 's', watcher.replace('active', 'gone'))).toThrow(`unreadable record at ${key}: [3]: expected one of pending|active|terminated`);
    expect(() => decodeDialog(key, 's', '{"not":"an array"}')).toThrow(CorruptRecordError);
  });

  const watcher: WatcherRecord = {
    presentity: 'sip:alice@example.com',
    subscriptionId: 'RbXeXYrLrpDJ1wRAWERWo29h',
    watcher: 'sip:bob.smith@example.com',
    event: 'presence',
    status: 'active',
    edgeId: 'edge-3',
    expiresAt: 1796029467564,
  };
  const watchersKey = 'presence:pres:{sip:alice@example.com}:watchers';

  it('codec - a watcher is packed within hash-max-listpack-value (64 bytes), so its hash stays a listpack', () => {
    const text = encodeWatcher(175, watcher);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64);
    expect(decodeWatcher(watchersKey, watcher.presentity, watcher.subscriptionId, text)).toEqual({ partition: 175, record: watcher });
    const winfo = { ...watcher, event: 'presence;id=7', status: 'pending' as const, expiresAt: 0 };
    expect(decodeWatcher(watchersKey, watcher.presentity, watcher.subscriptionId, encodeWatcher(0, winfo))).toEqual({ partition: 0, record: winfo });
  });

  it('codec - a watcher that cannot be packed is written as JSON, and JSON written before packing reads the same', () => {
    for (const odd of [{ ...watcher, edgeId: 'edge\u001f1' }, { ...watcher, event: '' }, { ...watcher, expiresAt: 1.5 }]) {
      const text = encodeWatcher(3, odd);
      expect(text.startsWith('[')).toBe(true);
      expect(decodeWatcher(watchersKey, odd.presentity, odd.subscriptionId, text)).toEqual({ partition: 3, record: odd });
    }
    const before = JSON.stringify([175, watcher.watcher, watcher.event, watcher.status, watcher.edgeId, watcher.expiresAt]);
    expect(decodeWatcher(watchersKey, watcher.presentity, watcher.subscriptionId, before)).toEqual({ partition: 175, record: watcher });
  });

  it('codec - a packed watcher with a field this code did not write is a CorruptRecordError naming the position', () => {
    const text = encodeWatcher(7, watcher);
    expect(() => decodeWatcher(watchersKey, 'p', 's', text.replace(/[^\u001f]+$/, 'NOT-36'))).toThrow(`unreadable record at ${watchersKey}: [5]: expected a number`);
    expect(() => decodeWatcher(watchersKey, 'p', 's', text.split('\u001f').slice(0, 5).join('\u001f'))).toThrow(`unreadable record at ${watchersKey}: [4]: expected a string`);
  });

  const dialog: DialogRecord = {
    subscriptionId: 'krj3fc7V2CO3nRa27TB0Lpwm',
    callId: 'ltmx2zf4ybw13550',
    localTag: 'd184387aecf90eff',
    remoteTag: 'w13550',
    remoteUri: 'sip:Bob.Smith@Example.com;transport=udp',
    localUri: 'sip:alice@example.com',
    remoteTarget: 'sip:bob@192.0.2.7:53955;transport=udp',
    routeSet: [],
    presentity: 'sip:alice@example.com',
    watcher: 'sip:Bob.Smith@example.com',
    event: 'presence',
    status: 'active',
    localCseq: 3795,
    remoteCseq: 1,
    expiresAt: 1796029471411,
    edgeId: 'edge-3',
    flow: 'udp|0|53955|192.0.2.7',
  };
  const dialogKey = 'presence:dlg:{krj3fc7V2CO3nRa27TB0Lpwm}';

  it('codec - a packed dialog leaves out what the reader derives, and reads back the same in every variant', () => {
    const text = encodeDialog(dialog);
    expect(text).not.toContain(dialog.watcher);
    expect(text.split(dialog.presentity)).toHaveLength(2);
    expect(Buffer.byteLength(text)).toBeLessThan(Buffer.byteLength(JSON.stringify(Object.values(dialog))) - 2 * dialog.presentity.length);
    const variants: DialogRecord[] = [
      dialog,
      { ...dialog, localUri: 'sip:alias@example.com', watcher: 'sip:someone-else@example.com', event: 'presence;id=1', status: 'pending' },
      { ...dialog, routeSet: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'], viewKey: 'v1' },
      { ...dialog, filter: '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"/>' },
      { ...dialog, partial: true },
      { ...dialog, viewKey: 'v1', filter: 'f', partial: true },
      { ...dialog, remoteUri: 'not a sip uri', watcher: '' },
    ];
    for (const variant of variants) expect(decodeDialog(dialogKey, dialog.subscriptionId, encodeDialog(variant))).toEqual(variant);
  });

  it('codec - a dialog that cannot be packed is written as JSON, and JSON written before packing reads the same', () => {
    const unpackable: DialogRecord[] = [
      { ...dialog, flow: 'f\u001fg' },
      { ...dialog, routeSet: [''] },
      { ...dialog, routeSet: ['a\u001eb'] },
      { ...dialog, viewKey: '' },
      { ...dialog, remoteCseq: -1 },
    ];
    for (const odd of unpackable) {
      const text = encodeDialog(odd);
      expect(text.startsWith('[')).toBe(true);
      expect(decodeDialog(dialogKey, odd.subscriptionId, text)).toEqual(odd);
    }
    const { subscriptionId: _, ...fields } = dialog;
    const before = JSON.stringify([...Object.values(fields), 'v1', null, 1]);
    expect(decodeDialog(dialogKey, dialog.subscriptionId, before)).toEqual({ ...dialog, viewKey: 'v1', partial: true });
  });
});
