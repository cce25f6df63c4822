import { XCAP_SCOPES, type Binding, type DialogRecord, type Publication, type RecordProblem, RecordReader, SUBSCRIPTION_STATUSES, type WatcherRecord } from '@presence/core';
import type { XcapDocumentEntry, XcapServiceClaimEntry } from './xcap-document-table.js';

/** Everything a MemoryStore holds, with absolute times, as written to `memory-store.json`. */
export interface StoreSnapshot {
  readonly presentities: ReadonlyArray<{
    readonly presentity: string;
    readonly partition: number;
    readonly revision: number;
    readonly version: number;
    /** Absent in snapshots written before incarnations: restored under a new one. */
    readonly incarnation?: string;
    readonly publications: readonly Publication[];
    readonly document: string;
  }>;
  readonly watchers: ReadonlyArray<{ readonly partition: number; readonly record: WatcherRecord }>;
  readonly bindings: ReadonlyArray<{ readonly aor: string; readonly bindings: readonly Binding[] }>;
  readonly dialogs: readonly DialogRecord[];
  /** Absent in snapshots written before XCAP documents: none. */
  readonly xcapDocuments?: readonly XcapDocumentEntry[];
  /** RFC 4826 §4.4.5 service URI claims; absent in snapshots written before them: none. */
  readonly xcapServiceClaims?: readonly XcapServiceClaimEntry[];
}

function xcapDocument(o: RecordReader): XcapDocumentEntry {
  return { auid: o.string('auid'), scope: o.oneOf('scope', XCAP_SCOPES), owner: o.string('owner'), filename: o.string('filename'), body: o.string('body'), etag: o.string('etag') };
}

const FORMAT = 'presence-memory-store';
const FORMAT_VERSION = 1;

export function encodeSnapshot(snapshot: StoreSnapshot, savedAt: number): string {
  return JSON.stringify({ format: FORMAT, formatVersion: FORMAT_VERSION, savedAt, ...snapshot });
}

/** A snapshot file that does not parse or does not have the expected shape. */
export class SnapshotFormatError extends Error {
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`bad memory store snapshot: ${problem}`, options);
    this.name = 'SnapshotFormatError';
  }
}

const snapshotError = (problem: RecordProblem): SnapshotFormatError => new SnapshotFormatError(problem.message);

function publication(o: RecordReader): Publication {
  const read: Publication = { etag: o.string('etag'), expiresAt: o.number('expiresAt'), publishedAt: o.number('publishedAt'), contentType: o.string('contentType'), body: o.string('body') };
  const supersededEtag = o.optionalString('supersededEtag');
  return supersededEtag === undefined ? read : { ...read, supersededEtag, supersededUntil: o.number('supersededUntil') };
}

function watcher(o: RecordReader): WatcherRecord {
  return {
    presentity: o.string('presentity'),
    subscriptionId: o.string('subscriptionId'),
    watcher: o.string('watcher'),
    event: o.string('event'),
    status: o.oneOf('status', SUBSCRIPTION_STATUSES),
    edgeId: o.string('edgeId'),
    expiresAt: o.number('expiresAt'),
  };
}

function binding(o: RecordReader): Binding {
  const q = o.optionalNumber('q');
  const flow = o.optionalString('flow');
  return {
    contact: o.string('contact'),
    contactKey: o.string('contactKey'),
    expiresAt: o.number('expiresAt'),
    callId: o.string('callId'),
    cseq: o.number('cseq'),
    ...(q === undefined ? {} : { q }),
    edgeId: o.string('edgeId'),
    ...(flow === undefined ? {} : { flow }),
  };
}

function dialog(o: RecordReader): DialogRecord {
  return {
    subscriptionId: o.string('subscriptionId'),
    callId: o.string('callId'),
    localTag: o.string('localTag'),
    remoteTag: o.string('remoteTag'),
    remoteUri: o.string('remoteUri'),
    localUri: o.string('localUri'),
    remoteTarget: o.string('remoteTarget'),
    routeSet: o.strings('routeSet'),
    presentity: o.string('presentity'),
    watcher: o.string('watcher'),
    event: o.string('event'),
    status: o.oneOf('status', SUBSCRIPTION_STATUSES),
    localCseq: o.number('localCseq'),
    remoteCseq: o.number('remoteCseq'),
    expiresAt: o.number('expiresAt'),
    edgeId: o.string('edgeId'),
    flow: o.string('flow'),
    ...(o.optionalString('viewKey') === undefined ? {} : { viewKey: o.string('viewKey') }),
    ...(o.optionalString('filter') === undefined ? {} : { filter: o.string('filter') }),
    ...(o.optionalBoolean('partial') === true ? { partial: true as const } : {}),
  };
}

/** Parses and checks a snapshot file's text; throws SnapshotFormatError on anything unexpected. */
export function decodeSnapshot(text: string): StoreSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SnapshotFormatError('not JSON', { cause: error });
  }
  const root = RecordReader.object(parsed, '', snapshotError);
  if (root.string('format') !== FORMAT) throw new SnapshotFormatError(`format is not ${FORMAT}`);
  const formatVersion = root.count('formatVersion');
  if (formatVersion !== FORMAT_VERSION) throw new SnapshotFormatError(`unknown format version ${formatVersion}`);
  return {
    presentities: root.list('presentities', (o) => ({
      presentity: o.string('presentity'),
      partition: o.count('partition'),
      revision: o.count('revision'),
      version: o.count('version'),
      incarnation: o.optionalString('incarnation'),
      publications: o.list('publications', publication),
      document: o.string('document'),
    })),
    watchers: root.list('watchers', (o) => ({ partition: o.count('partition'), record: watcher(o.object('record')) })),
    bindings: root.list('bindings', (o) => ({ aor: o.string('aor'), bindings: o.list('bindings', binding) })),
    dialogs: root.list('dialogs', dialog),
    xcapDocuments: root.optionalList('xcapDocuments', xcapDocument),
    xcapServiceClaims: root.optionalList('xcapServiceClaims', (o) => ({ uri: o.string('uri'), claim: o.string('claim') })),
  };
}
