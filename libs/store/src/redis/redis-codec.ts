import type { Binding, DialogRecord, Publication, SubscriptionStatus, WatcherRecord } from '@presence/core';
import { CorruptRecordError } from './corrupt-record-error.js';

/**
 * Values stored in Redis: positional JSON arrays (no field names), so a
 * record costs little more than its text. What the key already says (AOR,
 * subscription id) is not repeated. New fields may only be appended; absent
 * optional fields are null.
 *
 *     publication  [etag, expiresAt, publishedAt, contentType, body]
 *     watcher      [partition, watcher, event, status, edgeId, expiresAt]
 *     binding      [contact, contactKey, expiresAt, callId, cseq, edgeId, q|null, flow|null]
 *     dialog       [callId, localTag, remoteTag, remoteUri, localUri, remoteTarget, routeSet,
 *                   presentity, watcher, event, status, localCseq, remoteCseq, expiresAt, edgeId, flow]
 */

export function encodePublications(publications: readonly Publication[]): string {
  return JSON.stringify(publications.map((p) => [p.etag, p.expiresAt, p.publishedAt, p.contentType, p.body]));
}

export function decodePublications(key: string, text: string): Publication[] {
  return parseArray(key, text).map((item) => {
    const f = new Fields(key, item);
    return { etag: f.string(0), expiresAt: f.number(1), publishedAt: f.number(2), contentType: f.string(3), body: f.string(4) };
  });
}

export function encodeWatcher(partition: number, w: WatcherRecord): string {
  return JSON.stringify([partition, w.watcher, w.event, w.status, w.edgeId, w.expiresAt]);
}

export function decodeWatcher(key: string, presentity: string, subscriptionId: string, text: string): { partition: number; record: WatcherRecord } {
  const f = new Fields(key, parseArray(key, text));
  return {
    partition: f.number(0),
    record: { presentity, subscriptionId, watcher: f.string(1), event: f.string(2), status: f.status(3), edgeId: f.string(4), expiresAt: f.number(5) },
  };
}

export function encodeBindings(bindings: readonly Binding[]): string {
  return JSON.stringify(bindings.map((b) => [b.contact, b.contactKey, b.expiresAt, b.callId, b.cseq, b.edgeId, b.q ?? null, b.flow ?? null]));
}

export function decodeBindings(key: string, text: string): Binding[] {
  return parseArray(key, text).map((item) => {
    const f = new Fields(key, item);
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
  return JSON.stringify([
    d.callId,
    d.localTag,
    d.remoteTag,
    d.remoteUri,
    d.localUri,
    d.remoteTarget,
    d.routeSet,
    d.presentity,
    d.watcher,
    d.event,
    d.status,
    d.localCseq,
    d.remoteCseq,
    d.expiresAt,
    d.edgeId,
    d.flow,
  ]);
}

export function decodeDialog(key: string, subscriptionId: string, text: string): DialogRecord {
  const f = new Fields(key, parseArray(key, text));
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
    status: f.status(10),
    localCseq: f.number(11),
    remoteCseq: f.number(12),
    expiresAt: f.number(13),
    edgeId: f.string(14),
    flow: f.string(15),
  };
}

function parseArray(key: string, text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError(key, `not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw new CorruptRecordError(key, 'not a JSON array');
  return value;
}

const STATUSES: ReadonlySet<string> = new Set<SubscriptionStatus>(['pending', 'active', 'terminated']);

/** Typed access to the positions of one encoded record; anything unexpected is a CorruptRecordError. */
class Fields {
  private readonly items: readonly unknown[];

  constructor(
    private readonly key: string,
    value: unknown,
  ) {
    if (!Array.isArray(value)) throw new CorruptRecordError(key, 'record is not a JSON array');
    this.items = value;
  }

  string(index: number): string {
    const value = this.items[index];
    if (typeof value !== 'string') throw this.bad(index, 'a string');
    return value;
  }

  number(index: number): number {
    const value = this.items[index];
    if (typeof value !== 'number') throw this.bad(index, 'a number');
    return value;
  }

  optionalString(index: number): string | undefined {
    const value = this.items[index];
    return value === null || value === undefined ? undefined : this.string(index);
  }

  optionalNumber(index: number): number | undefined {
    const value = this.items[index];
    return value === null || value === undefined ? undefined : this.number(index);
  }

  strings(index: number): string[] {
    const value = this.items[index];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw this.bad(index, 'an array of strings');
    return value as string[];
  }

  status(index: number): SubscriptionStatus {
    const value = this.string(index);
    if (!STATUSES.has(value)) throw this.bad(index, 'a subscription status');
    return value as SubscriptionStatus;
  }

  private bad(index: number, expected: string): CorruptRecordError {
    return new CorruptRecordError(this.key, `field ${index} is not ${expected}`);
  }
}
