import type { Binding, DialogRecord, Publication, SubscriptionStatus, WatcherRecord } from '@presence/core';

/** Everything a MemoryStore holds, with absolute times, as written to `memory-store.json`. */
export interface StoreSnapshot {
  readonly presentities: ReadonlyArray<{
    readonly presentity: string;
    readonly partition: number;
    readonly revision: number;
    readonly version: number;
    readonly publications: readonly Publication[];
    readonly document: string;
  }>;
  readonly watchers: ReadonlyArray<{ readonly partition: number; readonly record: WatcherRecord }>;
  readonly bindings: ReadonlyArray<{ readonly aor: string; readonly bindings: readonly Binding[] }>;
  readonly dialogs: readonly DialogRecord[];
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

type Fields = Record<string, unknown>;

function fields(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotFormatError(`${path} is not an object`);
  return value as Fields;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SnapshotFormatError(`${path} is not an array`);
  return value;
}

function str(o: Fields, key: string, path: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new SnapshotFormatError(`${path}.${key} is not a string`);
  return value;
}

function num(o: Fields, key: string, path: string): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SnapshotFormatError(`${path}.${key} is not a number`);
  return value;
}

function int(o: Fields, key: string, path: string): number {
  const value = num(o, key, path);
  if (!Number.isSafeInteger(value) || value < 0) throw new SnapshotFormatError(`${path}.${key} is not a non-negative integer`);
  return value;
}

function status(o: Fields, path: string): SubscriptionStatus {
  const value = o['status'];
  if (value !== 'pending' && value !== 'active' && value !== 'terminated') throw new SnapshotFormatError(`${path}.status is not a subscription status`);
  return value;
}

function publication(value: unknown, path: string): Publication {
  const o = fields(value, path);
  return {
    etag: str(o, 'etag', path),
    expiresAt: num(o, 'expiresAt', path),
    publishedAt: num(o, 'publishedAt', path),
    contentType: str(o, 'contentType', path),
    body: str(o, 'body', path),
  };
}

function watcher(value: unknown, path: string): WatcherRecord {
  const o = fields(value, path);
  return {
    presentity: str(o, 'presentity', path),
    subscriptionId: str(o, 'subscriptionId', path),
    watcher: str(o, 'watcher', path),
    event: str(o, 'event', path),
    status: status(o, path),
    edgeId: str(o, 'edgeId', path),
    expiresAt: num(o, 'expiresAt', path),
  };
}

function binding(value: unknown, path: string): Binding {
  const o = fields(value, path);
  return {
    contact: str(o, 'contact', path),
    contactKey: str(o, 'contactKey', path),
    expiresAt: num(o, 'expiresAt', path),
    callId: str(o, 'callId', path),
    cseq: num(o, 'cseq', path),
    ...(o['q'] === undefined ? {} : { q: num(o, 'q', path) }),
    edgeId: str(o, 'edgeId', path),
    ...(o['flow'] === undefined ? {} : { flow: str(o, 'flow', path) }),
  };
}

function dialog(value: unknown, path: string): DialogRecord {
  const o = fields(value, path);
  return {
    subscriptionId: str(o, 'subscriptionId', path),
    callId: str(o, 'callId', path),
    localTag: str(o, 'localTag', path),
    remoteTag: str(o, 'remoteTag', path),
    remoteUri: str(o, 'remoteUri', path),
    localUri: str(o, 'localUri', path),
    remoteTarget: str(o, 'remoteTarget', path),
    routeSet: list(o['routeSet'], `${path}.routeSet`).map((route, i) => {
      if (typeof route !== 'string') throw new SnapshotFormatError(`${path}.routeSet[${i}] is not a string`);
      return route;
    }),
    presentity: str(o, 'presentity', path),
    watcher: str(o, 'watcher', path),
    event: str(o, 'event', path),
    status: status(o, path),
    localCseq: num(o, 'localCseq', path),
    remoteCseq: num(o, 'remoteCseq', path),
    expiresAt: num(o, 'expiresAt', path),
    edgeId: str(o, 'edgeId', path),
    flow: str(o, 'flow', path),
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
  const root = fields(parsed, 'snapshot');
  if (root['format'] !== FORMAT) throw new SnapshotFormatError(`format is not ${FORMAT}`);
  if (root['formatVersion'] !== FORMAT_VERSION) throw new SnapshotFormatError(`unknown format version ${String(root['formatVersion'])}`);
  return {
    presentities: list(root['presentities'], 'presentities').map((value, i) => {
      const path = `presentities[${i}]`;
      const o = fields(value, path);
      return {
        presentity: str(o, 'presentity', path),
        partition: int(o, 'partition', path),
        revision: int(o, 'revision', path),
        version: int(o, 'version', path),
        publications: list(o['publications'], `${path}.publications`).map((p, j) => publication(p, `${path}.publications[${j}]`)),
        document: str(o, 'document', path),
      };
    }),
    watchers: list(root['watchers'], 'watchers').map((value, i) => {
      const path = `watchers[${i}]`;
      const o = fields(value, path);
      return { partition: int(o, 'partition', path), record: watcher(o['record'], `${path}.record`) };
    }),
    bindings: list(root['bindings'], 'bindings').map((value, i) => {
      const path = `bindings[${i}]`;
      const o = fields(value, path);
      return { aor: str(o, 'aor', path), bindings: list(o['bindings'], `${path}.bindings`).map((b, j) => binding(b, `${path}.bindings[${j}]`)) };
    }),
    dialogs: list(root['dialogs'], 'dialogs').map((value, i) => dialog(value, `dialogs[${i}]`)),
  };
}
