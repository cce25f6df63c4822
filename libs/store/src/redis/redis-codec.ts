import {
  type Binding,
  type DialogRecord,
  type PresentityState,
  type Publication,
  type RecordFailure,
  RecordReader,
  SUBSCRIPTION_STATUSES,
  type UserRecord,
  type WatcherRecord,
  normalizeAor,
} from '@presence/core';
import { userRecordProblem } from '../user-record-check.js';
import { CorruptRecordError } from './corrupt-record-error.js';
import { isPacked, packCount, packFields, packList, packOptional, packUnlessDerived, unpackCount, unpackDerived, unpackFields, unpackList, unpackOptional } from './packed-record.js';

/**
 * Values stored in Redis: positional JSON arrays (no field names), so a
 * record costs little more than its text. What the key already says (AOR,
 * subscription id) is not repeated. New fields may only be appended; absent
 * optional fields are null. Watchers and dialogs are written packed
 * (packed-record.ts: the same positions, numbers in base 36, fields the
 * reader derives left empty), JSON only when a field cannot be packed; both
 * are read.
 *
 *     publication  [etag, expiresAt, publishedAt, contentType, body, supersededEtag|null, supersededUntil|null]
 *     watcher      [partition, watcher, event, status, edgeId, expiresAt]
 *     binding      [contact, contactKey, expiresAt, callId, cseq, edgeId, q|null, flow|null]
 *     dialog       [callId, localTag, remoteTag, remoteUri, localUri, remoteTarget, routeSet,
 *                   presentity, watcher, event, status, localCseq, remoteCseq, expiresAt, edgeId, flow]
 *     user         [username, realm, ha1 SHA-256, ha1 MD5, enabled, displayName|null]
 *
 * Decoding checks every field; anything unexpected is a CorruptRecordError
 * naming the key and the position, e.g. `[0][4]: expected a string`.
 */

export function encodePublications(publications: readonly Publication[]): string {
  return JSON.stringify(
    publications.map((p) =>
      p.supersededEtag === undefined ? [p.etag, p.expiresAt, p.publishedAt, p.contentType, p.body] : [p.etag, p.expiresAt, p.publishedAt, p.contentType, p.body, p.supersededEtag, p.supersededUntil ?? 0],
    ),
  );
}

export function decodePublications(key: string, text: string): Publication[] {
  return RecordReader.tuples(parseJson(key, text), '', corrupt(key), (f) => {
    const publication: Publication = { etag: f.string(0), expiresAt: f.number(1), publishedAt: f.number(2), contentType: f.string(3), body: f.string(4) };
    const supersededEtag = f.optionalString(5);
    return supersededEtag === undefined ? publication : { ...publication, supersededEtag, supersededUntil: f.number(6) };
  });
}

/** The fields of `pres:{aor}:doc` a read asks for, in the order decodePresentity takes them. */
export const PRESENTITY_READ_FIELDS = ['rev', 'ver', 'doc', 'pubs', 'inc'] as const;

/** A presentity from its PRESENTITY_READ_FIELDS values (null where absent: a presentity never seen has revision 0). */
export function decodePresentity(key: string, presentity: string, [revision, version, document, pubs, incarnation]: readonly (string | null | undefined)[]): PresentityState {
  return {
    presentity,
    revision: typeof revision === 'string' ? Number(revision) : 0,
    version: typeof version === 'string' ? Number(version) : 0,
    incarnation: incarnation ?? '',
    publications: typeof pubs === 'string' ? decodePublications(key, pubs) : [],
    document: document ?? '',
  };
}

/** The event nearly every watcher subscribes to: written as empty in the packed form. */
const PRESENCE_EVENT = 'presence';

export function encodeWatcher(partition: number, w: WatcherRecord): string {
  const packed = packFields([packCount(partition), w.watcher, packUnlessDerived(w.event, PRESENCE_EVENT), w.status, w.edgeId, packCount(w.expiresAt)]);
  return packed ?? JSON.stringify([partition, w.watcher, w.event, w.status, w.edgeId, w.expiresAt]);
}

export function decodeWatcher(key: string, presentity: string, subscriptionId: string, text: string): { partition: number; record: WatcherRecord } {
  const f = RecordReader.tuple(isPacked(text) ? unpackedWatcher(text) : parseJson(key, text), '', corrupt(key));
  return {
    partition: f.number(0),
    record: { presentity, subscriptionId, watcher: f.string(1), event: f.string(2), status: f.oneOf(3, SUBSCRIPTION_STATUSES), edgeId: f.string(4), expiresAt: f.number(5) },
  };
}

/** The packed watcher as its positional JSON form, for the same checks. */
function unpackedWatcher(text: string): unknown[] {
  const [partition, watcher, event, status, edgeId, expiresAt] = unpackFields(text);
  return [unpackCount(partition), watcher, unpackDerived(event, () => PRESENCE_EVENT), status, edgeId, unpackCount(expiresAt)];
}

export function encodeBindings(bindings: readonly Binding[]): string {
  return JSON.stringify(bindings.map((b) => [b.contact, b.contactKey, b.expiresAt, b.callId, b.cseq, b.edgeId, b.q ?? null, b.flow ?? null]));
}

export function decodeBindings(key: string, text: string): Binding[] {
  return RecordReader.tuples(parseJson(key, text), '', corrupt(key), (f) => {
    const binding: { -readonly [K in keyof Binding]: Binding[K] } = {
      contact: f.string(0),
      contactKey: f.string(1),
      expiresAt: f.number(2),
      callId: f.string(3),
      cseq: f.number(4),
      edgeId: f.string(5),
    };
    const q = f.optionalNumber(6);
    if (q !== undefined) binding.q = q;
    const flow = f.optionalString(7);
    if (flow !== undefined) binding.flow = flow;
    return binding;
  });
}

export function encodeDialog(d: DialogRecord): string {
  return packedDialog(d) ?? JSON.stringify([...dialogHead(d), ...optionalTail([d.viewKey ?? null, d.filter ?? null, d.partial === undefined ? null : 1])]);
}

function dialogHead(d: DialogRecord): (string | number | readonly string[])[] {
  return [d.callId, d.localTag, d.remoteTag, d.remoteUri, d.localUri, d.remoteTarget, d.routeSet, d.presentity, d.watcher, d.event, d.status, d.localCseq, d.remoteCseq, d.expiresAt, d.edgeId, d.flow];
}

/**
 * The JSON positions packed; what the reader can derive is left empty: the
 * To URI when it is the presentity (nearly always), the watcher when it is the
 * From URI's AOR (as the edge derives it), the event when it is `presence`.
 */
function packedDialog(d: DialogRecord): string | undefined {
  const tail = [packOptional(d.viewKey), packOptional(d.filter), d.partial === undefined ? '' : '1'];
  while (tail.length > 0 && tail[tail.length - 1] === '') tail.pop();
  return packFields([
    d.callId,
    d.localTag,
    d.remoteTag,
    d.remoteUri,
    packUnlessDerived(d.localUri, d.presentity),
    d.remoteTarget,
    packList(d.routeSet),
    d.presentity,
    packUnlessDerived(d.watcher, aorOf(d.remoteUri)),
    packUnlessDerived(d.event, PRESENCE_EVENT),
    d.status,
    packCount(d.localCseq),
    packCount(d.remoteCseq),
    packCount(d.expiresAt),
    d.edgeId,
    d.flow,
    ...tail,
  ]);
}

/** The packed dialog as its positional JSON form, for the same checks. */
function unpackedDialog(text: string): unknown[] {
  const f = unpackFields(text);
  const presentity = f[7];
  const remoteUri = f[3];
  return [
    f[0],
    f[1],
    f[2],
    remoteUri,
    unpackDerived(f[4], () => presentity),
    f[5],
    unpackList(f[6]),
    presentity,
    unpackDerived(f[8], () => (remoteUri === undefined ? undefined : aorOf(remoteUri))),
    unpackDerived(f[9], () => PRESENCE_EVENT),
    f[10],
    unpackCount(f[11]),
    unpackCount(f[12]),
    unpackCount(f[13]),
    f[14],
    f[15],
    unpackOptional(f[16]),
    unpackOptional(f[17]),
    f[18] === '1' ? 1 : null,
  ];
}

/** The AOR of a URI; undefined for one that is not a SIP URI (nothing is derived from it then). */
function aorOf(uri: string): string | undefined {
  try {
    return normalizeAor(uri);
  } catch {
    return undefined;
  }
}

export function decodeDialog(key: string, subscriptionId: string, text: string): DialogRecord {
  const f = RecordReader.tuple(isPacked(text) ? unpackedDialog(text) : parseJson(key, text), '', corrupt(key));
  return {
    subscriptionId,
    callId: f.string(0),
    localTag: f.string(1),
    remoteTag: f.string(2),
    remoteUri: f.string(3),
    localUri: f.string(4),
    remoteTarget: f.string(5),
    routeSet: f.strings(6),
    presentity: f.string(7),
    watcher: f.string(8),
    event: f.string(9),
    status: f.oneOf(10, SUBSCRIPTION_STATUSES),
    localCseq: f.number(11),
    remoteCseq: f.number(12),
    expiresAt: f.number(13),
    edgeId: f.string(14),
    flow: f.string(15),
    ...optionalField('viewKey', f.optionalString(16)),
    ...optionalField('filter', f.optionalString(17)),
    ...(f.optionalNumber(18) === 1 ? { partial: true as const } : {}),
  };
}

/**
 * The optional fields (view, filters, partial notification) trail the record, written only up to the last one set:
 * records written before they existed read the same, and null holds the place of one unset before a set one.
 */
function optionalTail(fields: readonly (string | number | null)[]): (string | number | null)[] {
  let end = fields.length;
  while (end > 0 && fields[end - 1] === null) end -= 1;
  return fields.slice(0, end);
}

function optionalField<K extends 'viewKey' | 'filter'>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

export function encodeUser(u: UserRecord): string {
  return JSON.stringify([u.username, u.realm, u.ha1['SHA-256'], u.ha1.MD5, u.enabled, u.displayName ?? null]);
}

export function decodeUser(key: string, aor: string, text: string): UserRecord {
  const f = RecordReader.tuple(parseJson(key, text), '', corrupt(key));
  const displayName = f.optionalString(5);
  const user: UserRecord = {
    aor,
    username: f.string(0),
    realm: f.string(1),
    ha1: { 'SHA-256': f.string(2), MD5: f.string(3) },
    ...(displayName === undefined ? {} : { displayName }),
    enabled: f.boolean(4),
  };
  const problem = userRecordProblem(user);
  if (problem !== undefined) throw new CorruptRecordError(key, problem);
  return user;
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError(key, `not JSON (${(error as Error).message})`);
  }
}

function corrupt(key: string): RecordFailure {
  return (problem) => new CorruptRecordError(key, problem.message);
}
