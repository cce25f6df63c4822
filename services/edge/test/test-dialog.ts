import { WatcherDialog, type DialogFields } from '../src/subscriptions/watcher-dialog.js';

/** A held dialog for unit tests: the values of a plain UDP SUBSCRIBE, any of them overridden. */
export function testDialog(overrides: Partial<DialogFields> = {}): WatcherDialog {
  const presentity = overrides.presentity ?? 'sip:p@example.com';
  const id = overrides.id ?? 'd1';
  const fields: DialogFields = {
    id,
    callId: `call-${id}`,
    localTag: 'l',
    remoteTag: 'r',
    localUri: presentity,
    remoteUri: 'sip:w@example.com',
    remoteTarget: 'sip:w@192.0.2.1',
    routeSet: [],
    presentity,
    event: 'presence',
    flow: 'udp|0|5060|192.0.2.1',
    source: '192.0.2.1',
    localContact: 'sip:edge@192.0.2.2',
    localCseq: 1,
    remoteCseq: 1,
    expiresAt: 1000,
    ...overrides,
  };
  return new WatcherDialog(fields, fields);
}
