import { createHash } from 'node:crypto';
import type { DialogRecord } from '@presence/core';

/**
 * A notifier-side subscription dialog held by this edge (RFC 6665 §4.1.2 /
 * RFC 3261 §12.1.1). Mutable on purpose and kept compact: the edge holds one
 * per watcher and touches it on every NOTIFY.
 */
export interface WatcherDialog {
  readonly id: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly presentity: string;
  readonly watcher: string;
  /** Event header value we echo in NOTIFYs (package plus any id parameter, RFC 6665 §8.2.1). */
  readonly event: string;
  /** Transport flow of the latest request from the subscriber, and our Contact on it; both follow refreshes. */
  flow: string;
  localContact: string;
  localCseq: number;
  remoteCseq: number;
  expiresAt: number;
  /** A NOTIFY transaction is outstanding; the next waits for it (one at a time per dialog). */
  inFlight: boolean;
  /** State changed since the last NOTIFY was built: send again when allowed. */
  dirty: boolean;
  lastNotifyAt: number;
  rateTimer: NodeJS.Timeout | undefined;
  terminated: boolean;
}

/** Dialog id from Call-ID and both tags (RFC 3261 §12): bus-safe, fixed length. */
export function dialogId(callId: string, remoteTag: string, localTag: string): string {
  return createHash('sha256').update(`${callId}\u0000${remoteTag}\u0000${localTag}`).digest('base64url').slice(0, 24);
}

export function toDialogRecord(dialog: WatcherDialog, edgeId: string): DialogRecord {
  return {
    subscriptionId: dialog.id,
    callId: dialog.callId,
    localTag: dialog.localTag,
    remoteTag: dialog.remoteTag,
    remoteUri: dialog.remoteUri,
    localUri: dialog.localUri,
    remoteTarget: dialog.remoteTarget,
    routeSet: dialog.routeSet,
    presentity: dialog.presentity,
    watcher: dialog.watcher,
    event: dialog.event,
    status: dialog.terminated ? 'terminated' : 'active',
    localCseq: dialog.localCseq,
    remoteCseq: dialog.remoteCseq,
    expiresAt: dialog.expiresAt,
    edgeId,
    flow: dialog.flow,
  };
}

/** Adopts a mirrored dialog (e.g. its edge restarted); CSeq jumps ahead since NOTIFYs may have followed the mirror. */
export function fromDialogRecord(record: DialogRecord, flow: string, localContact: string): WatcherDialog {
  return {
    id: record.subscriptionId,
    callId: record.callId,
    localTag: record.localTag,
    remoteTag: record.remoteTag,
    localUri: record.localUri,
    remoteUri: record.remoteUri,
    remoteTarget: record.remoteTarget,
    routeSet: record.routeSet,
    presentity: record.presentity,
    watcher: record.watcher,
    event: record.event,
    flow,
    localContact,
    localCseq: record.localCseq + 1000,
    remoteCseq: record.remoteCseq,
    expiresAt: record.expiresAt,
    inFlight: false,
    dirty: false,
    lastNotifyAt: 0,
    rateTimer: undefined,
    terminated: false,
  };
}
