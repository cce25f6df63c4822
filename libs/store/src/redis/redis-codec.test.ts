import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from './corrupt-record-error.js';
import { decodeBindings, decodeDialog, decodePublications, decodeWatcher, encodeBindings, encodeWatcher } from './redis-codec.js';

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
});
