import { describe, expect, it } from 'vitest';
import { decodeAgentReply, decodeAgentRequest, decodeChangeEvent, decodeDeliverReply, decodeXcapChange, decodeDeliverRequest, decodeAuthorizationChange, decodeWatcherInfoEvent, encodeDeliverRequest, encodeMessage } from './codec.js';
import { ContractError } from './contract-error.js';
import { createSubjects } from './subjects.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('contracts codec', () => {
  it('codec - round-trips every request type', () => {
    const requests = [
      { v: 1, type: 'publish', presentity: 'sip:a@x', ifMatch: 'e1', expires: 60, body: '<x/>', contentType: 'application/pidf+xml' },
      { v: 1, type: 'subscribe', presentity: 'sip:a@x', subscriptionId: 's1', watcher: 'sip:b@x', event: 'presence', expires: 0, edgeId: 'e' },
      { v: 1, type: 'unsubscribe', presentity: 'sip:a@x', subscriptionId: 's1' },
      { v: 1, type: 'fetch', presentities: ['sip:a@x', 'sip:b@x'] },
    ] as const;
    for (const request of requests) expect(decodeAgentRequest(encodeMessage(request))).toEqual(request);
  });

  it('codec - carries an optional deadline on any request, and refuses a non-numeric one', () => {
    const request = { v: 1, type: 'unsubscribe', presentity: 'sip:a@x', subscriptionId: 's1', deadline: 1_700_000_002_000 } as const;
    expect(decodeAgentRequest(encodeMessage(request))).toEqual(request);
    expect(decodeAgentRequest(bytes({ v: 1, type: 'fetch', presentities: [] }))).not.toHaveProperty('deadline');
    expect(() => decodeAgentRequest(bytes({ v: 1, type: 'fetch', presentities: [], deadline: 'soon' }))).toThrow(/deadline/);
  });

  it('codec - round-trips replies and change events', () => {
    const subscribed = {
      v: 1,
      type: 'subscribed',
      status: 'active',
      expires: 600,
      state: { presentity: 'sip:a@x', version: 3, document: '<presence/>' },
    } as const;
    expect(decodeAgentReply(encodeMessage(subscribed))).toEqual(subscribed);
    const error = { v: 1, type: 'error', status: 412, reason: 'Conditional Request Failed', headers: {} } as const;
    expect(decodeAgentReply(encodeMessage(error))).toEqual(error);
    const change = { v: 1, type: 'change', presentity: 'sip:a@x', version: 4, document: 'd', changedAt: 17 } as const;
    expect(decodeChangeEvent(encodeMessage(change))).toEqual(change);
  });

  it('codec - the store incarnation rides on change events and snapshots, and must be a string when present', () => {
    const change = { v: 1, type: 'change', presentity: 'sip:a@x', version: 1, incarnation: 'inc-2', document: 'd', changedAt: 17 } as const;
    expect(decodeChangeEvent(encodeMessage(change)).incarnation).toBe('inc-2');
    const states = { v: 1, type: 'states', states: [{ presentity: 'sip:a@x', version: 1, incarnation: 'inc-2', document: 'd' }] } as const;
    expect(decodeAgentReply(encodeMessage(states))).toEqual(states);
    expect(() => decodeChangeEvent(bytes({ ...change, incarnation: 7 }))).toThrow(/incarnation/);
  });

  it('codec - rejects wrong version, unknown type, bad fields and non-JSON with the field named', () => {
    expect(() => decodeAgentRequest(bytes({ v: 2, type: 'fetch', presentities: [] }))).toThrow(/unsupported version/);
    expect(() => decodeAgentRequest(bytes({ v: 1, type: 'nope' }))).toThrow(/type: expected one of/);
    expect(() => decodeAgentRequest(bytes({ v: 1, type: 'publish', presentity: 'p', expires: -1 }))).toThrow(/expires/);
    expect(() => decodeAgentReply(bytes({ v: 1, type: 'subscribed', status: 'active', expires: 1 }))).toThrow(/state/);
    expect(() => decodeChangeEvent(new Uint8Array([0xff, 0xfe]))).toThrow(ContractError);
  });

  it('subjects - put the partition and a dot-free token of the AOR in the subject', () => {
    const subjects = createSubjects('t1.');
    expect(subjects.agent(7)).toBe('t1.pa.7');
    const subject = subjects.change(7, 'sip:alice.smith@example.com');
    expect(subject.startsWith('t1.ps.7.')).toBe(true);
    expect(subject.split('.')).toHaveLength(4);
    expect(() => createSubjects('bad prefix')).toThrow(/prefix/);
    expect(subjects.edgeDeliver('host.local-42').split('.')).toEqual(['t1', 'edge', expect.any(String), 'deliver']);
  });

  it('deliver - request and reply round-trip; a malformed one is a ContractError naming the field', () => {
    const request = { v: 1, type: 'deliver', flow: 'tcp|s|1', uri: 'sip:bob@192.0.2.1', headers: { From: '<sip:a@x>;tag=1' }, body: Buffer.from('hi'), branchKey: 'im-abc' } as const;
    expect(decodeDeliverRequest(encodeDeliverRequest(request))).toEqual(request);
    const { branchKey: _, ...plain } = request;
    expect(decodeDeliverRequest(encodeDeliverRequest(plain))).toEqual(plain);
    expect(decodeDeliverReply(encodeMessage({ v: 1, type: 'delivered', status: 200, reason: 'OK' }))).toEqual({ v: 1, type: 'delivered', status: 200, reason: 'OK' });
    expect(() => decodeDeliverRequest(bytes({ ...request, headers: { From: 1 } }))).toThrow(/headers/);
    expect(() => decodeDeliverReply(bytes({ v: 1, type: 'delivered', status: 'x', reason: '' }))).toThrow(ContractError);
  });

  it('deliver - a body that is not UTF-8 crosses as base64 byte for byte; a text body is plain text on the wire, as v1 was', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const request = { v: 1, type: 'deliver', flow: 'tcp|s|1', uri: 'sip:bob@192.0.2.1', headers: {}, body: all } as const;
    const wire = JSON.parse(Buffer.from(encodeDeliverRequest(request)).toString('utf8')) as Record<string, unknown>;
    expect(wire['bodyEncoding']).toBe('base64');
    expect(Buffer.compare(decodeDeliverRequest(encodeDeliverRequest(request)).body, all)).toBe(0);
    const text = JSON.parse(Buffer.from(encodeDeliverRequest({ ...request, body: Buffer.from('hé') })).toString('utf8')) as Record<string, unknown>;
    expect(text).toMatchObject({ body: 'hé' });
    expect(text['bodyEncoding']).toBeUndefined();
    // What an edge of the previous release sends still reads.
    expect(Buffer.from(decodeDeliverRequest(bytes({ ...request, body: 'hé' })).body).toString('utf8')).toBe('hé');
    expect(() => decodeDeliverRequest(bytes({ ...request, body: 'x', bodyEncoding: 'rot13' }))).toThrow(/bodyEncoding/);
  });

  it('xcap change - round-trips created, replaced and deleted documents; the auid subject is one NATS token', () => {
    const created = { v: 1, type: 'xcap-change', auid: 'pres-rules', scope: 'users', owner: 'sip:alice@example.com', filename: 'index', etag: 'e1', changedAt: 5 } as const;
    expect(decodeXcapChange(encodeMessage(created))).toEqual(created);
    const deleted = { v: 1, type: 'xcap-change', auid: 'resource-lists', scope: 'global', owner: '', filename: 'index', previousEtag: 'e1', changedAt: 6 } as const;
    expect(decodeXcapChange(encodeMessage(deleted))).toEqual(deleted);
    expect(() => decodeXcapChange(bytes({ ...created, scope: 'everyone' }))).toThrow(/scope/);
    expect(() => decodeXcapChange(bytes({ ...created, etag: 7 }))).toThrow(ContractError);
    const subjects = createSubjects('t1.');
    expect(subjects.xcapChange('org.openmobilealliance.pres-rules')).toBe('t1.xcap.org_openmobilealliance_pres-rules');
    expect(() => subjects.xcapChange('a b')).toThrow(/auid/);
  });

  it('authorization - decisions, views and the per-edge authorization change round-trip; a bad status or view map is refused', () => {
    const state = { presentity: 'sip:a@x', version: 3, incarnation: 'i', document: '<d/>', views: { k: '<v/>' } };
    const reply = { v: 1, type: 'subscribed', status: 'pending', viewKey: '', expires: 60, state } as const;
    expect(decodeAgentReply(encodeMessage(reply))).toEqual(reply);
    const rejected = { v: 1, type: 'subscribed', status: 'terminated', reason: 'rejected', viewKey: '', expires: 60, state } as const;
    expect(decodeAgentReply(encodeMessage(rejected))).toEqual(rejected);
    const change = { v: 1, type: 'authorization', subscriptionId: 's', status: 'active', viewKey: 'k', state } as const;
    expect(decodeAuthorizationChange(encodeMessage(change))).toEqual(change);
    const event = { v: 1, type: 'change', presentity: 'sip:a@x', version: 1, document: '<d/>', views: { k: '<v/>' }, changedAt: 5 } as const;
    expect(decodeChangeEvent(encodeMessage(event))).toEqual(event);
    expect(decodeAgentRequest(encodeMessage({ v: 1, type: 'subscribe', presentity: 'p', subscriptionId: 's', watcher: 'w', event: 'presence', expires: 1, edgeId: 'e', initial: true }))).toMatchObject({ initial: true });
    expect(() => decodeAuthorizationChange(bytes({ ...change, status: 'maybe' }))).toThrow(/status/);
    expect(() => decodeAuthorizationChange(bytes({ ...change, state: { ...state, views: { k: 1 } } }))).toThrow(/views/);
    expect(() => decodeAgentReply(bytes({ ...rejected, reason: 'bored' }))).toThrow(/reason/);
    expect(createSubjects('t1.').edgeAuthorization('host.local-42').split('.')).toEqual(['t1', 'edge', expect.any(String), 'authz']);
  });

  it('winfo - watchers request and reply, the watcher-info event and the unsubscribe reason round-trip; bad ones name the field', () => {
    const request = { v: 1, type: 'watchers', presentity: 'sip:a@x', limit: 1000 } as const;
    expect(decodeAgentRequest(encodeMessage(request))).toEqual(request);
    const watcher = { id: 's1', watcher: 'sip:b@x', status: 'pending', event: 'subscribe', expiresAt: 99 } as const;
    const reply = { v: 1, type: 'watchers', presentity: 'sip:a@x', feed: { epoch: 'ep', seq: 4 }, watchers: [watcher] } as const;
    expect(decodeAgentReply(encodeMessage(reply))).toEqual(reply);
    const event = { v: 1, type: 'watcher-info', presentity: 'sip:a@x', feed: { epoch: 'ep', previous: 4, seq: 9 }, watcher: { ...watcher, status: 'terminated', event: 'timeout', expiresAt: 0 } } as const;
    expect(decodeWatcherInfoEvent(encodeMessage(event))).toEqual(event);
    const unsubscribe = { v: 1, type: 'unsubscribe', presentity: 'sip:a@x', subscriptionId: 's1', reason: 'notify-failed' } as const;
    expect(decodeAgentRequest(encodeMessage(unsubscribe))).toEqual(unsubscribe);
    expect(() => decodeAgentRequest(bytes({ ...unsubscribe, reason: 'bored' }))).toThrow(/unsubscribe reason "bored"/);
    expect(() => decodeWatcherInfoEvent(bytes({ ...event, watcher: { ...watcher, event: 'woke' } }))).toThrow(/watcher\.event/);
    expect(() => decodeWatcherInfoEvent(bytes({ ...event, feed: { epoch: 'ep', seq: 9 } }))).toThrow(/feed\.previous/);
    expect(() => decodeAgentRequest(bytes({ ...request, limit: -1 }))).toThrow(/limit/);
    expect(createSubjects('t1.').watcherInfo(7, 'sip:alice.smith@example.com').split('.')).toEqual(['t1', 'pw', '7', expect.any(String)]);
  });
});
