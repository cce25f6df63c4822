import type { DialogRecord } from '@presence/core';
import { frozenCopy, IndexedMinHeap, sharedString } from '@presence/core';

const NO_ROUTES: readonly string[] = Object.freeze([]);

/**
 * Mirrored notifier dialogs, soft state like Redis `dlg:{id}` with TTL =
 * expiresAt + grace: a dialog lapses (reads give undefined) once the clock
 * reaches expiresAt + graceMs. The grace lets an edge adopt a dialog whose
 * refresh is late. reap() drops lapsed dialogs from a heap, without scanning.
 */
export class DialogTable {
  private readonly dialogs = new Map<string, DialogRecord>();
  private readonly lapses = new IndexedMinHeap();
  /**
   * Call-ID -> subscription ids, for operators who know a dialog by the Call-ID in a trace.
   * Nearly every Call-ID has one dialog: that id is held as it is, and a Set only from the
   * second on (a Set of one costs ~150 bytes a dialog more).
   */
  private readonly byCallId = new Map<string, string | Set<string>>();

  constructor(private readonly graceMs: number) {}

  get size(): number {
    return this.dialogs.size;
  }

  save(dialog: DialogRecord, clockNow: number): void {
    const lapse = dialog.expiresAt + this.graceMs;
    if (lapse <= clockNow) {
      this.delete(dialog.subscriptionId);
      return;
    }
    const previous = this.dialogs.get(dialog.subscriptionId);
    if (previous !== undefined && previous.callId !== dialog.callId) this.unindex(previous);
    this.dialogs.set(dialog.subscriptionId, storedDialog(dialog));
    this.lapses.set(dialog.subscriptionId, lapse);
    const ids = this.byCallId.get(dialog.callId);
    if (ids === undefined || ids === dialog.subscriptionId) this.byCallId.set(dialog.callId, dialog.subscriptionId);
    else if (typeof ids === 'string') this.byCallId.set(dialog.callId, new Set([ids, dialog.subscriptionId]));
    else ids.add(dialog.subscriptionId);
  }

  load(subscriptionId: string, clockNow: number): DialogRecord | undefined {
    const dialog = this.dialogs.get(subscriptionId);
    if (dialog === undefined) return undefined;
    if ((this.lapses.timeOf(subscriptionId) as number) <= clockNow) {
      this.delete(subscriptionId);
      return undefined;
    }
    return dialog;
  }

  delete(subscriptionId: string): void {
    const dialog = this.dialogs.get(subscriptionId);
    if (dialog !== undefined) this.unindex(dialog);
    this.dialogs.delete(subscriptionId);
    this.lapses.delete(subscriptionId);
  }

  /** Unlapsed dialogs with this Call-ID, at most `limit`. */
  byCall(callId: string, limit: number, clockNow: number): DialogRecord[] {
    const found: DialogRecord[] = [];
    const ids = this.byCallId.get(callId);
    for (const id of typeof ids === 'string' ? [ids] : (ids ?? [])) {
      if (found.length === limit) break;
      const dialog = this.load(id, clockNow);
      if (dialog !== undefined) found.push(dialog);
    }
    return found;
  }

  private unindex(dialog: DialogRecord): void {
    const ids = this.byCallId.get(dialog.callId);
    if (ids === dialog.subscriptionId) this.byCallId.delete(dialog.callId);
    else if (typeof ids === 'object') {
      ids.delete(dialog.subscriptionId);
      if (ids.size === 0) this.byCallId.delete(dialog.callId);
    }
  }

  /** Drops every dialog lapsed by `clockNow`; returns how many. */
  reap(clockNow: number): number {
    let dropped = 0;
    for (let at = this.lapses.peekTime(); at !== undefined && at <= clockNow; at = this.lapses.peekTime()) {
      this.delete(this.lapses.peekKey() as string);
      dropped++;
    }
    return dropped;
  }

  values(): IterableIterator<DialogRecord> {
    return this.dialogs.values();
  }
}

type OptionalField = 'viewKey' | 'filter' | 'partial';
// Fails to compile when DialogRecord gains a required field storedDialog does not copy.
type CopiedField = 'subscriptionId' | 'callId' | 'localTag' | 'remoteTag' | 'remoteUri' | 'localUri' | 'remoteTarget' | 'routeSet' | 'presentity' | 'watcher' | 'event' | 'status' | 'localCseq' | 'remoteCseq' | 'expiresAt' | 'edgeId' | 'flow';
const COPIES_EVERY_FIELD: [Exclude<keyof DialogRecord, CopiedField | OptionalField>] extends [never] ? true : never = true;
void COPIES_EVERY_FIELD;

/**
 * A frozen copy with its fields inside the object: a literal of the fields
 * nearly every dialog has (a copy made with Object.assign onto `{}` kept four
 * in the object and spilled the rest into a property array, ~190 bytes a
 * dialog where this is ~160, measured in a heap snapshot). The optional
 * fields are copied only when set, so a dialog without them has no slot for
 * them. Not Object.freeze({ ...dialog }): V8 gives each frozen spread copy a
 * hidden class of its own.
 */
function storedDialog(dialog: DialogRecord): DialogRecord {
  const stored: DialogRecord = {
    subscriptionId: dialog.subscriptionId,
    callId: dialog.callId,
    localTag: dialog.localTag,
    remoteTag: dialog.remoteTag,
    remoteUri: dialog.remoteUri,
    localUri: dialog.localUri,
    remoteTarget: dialog.remoteTarget,
    routeSet: dialog.routeSet.length === 0 ? NO_ROUTES : Object.freeze([...dialog.routeSet]),
    presentity: dialog.presentity,
    // The edge derives `watcher` from the From URI per record: a rope of four strings, one a slice (~130 bytes a dialog more than flat).
    // Shared rather than only flattened: the edge's caps and the watcher records keep the same AOR shared, so all use one copy.
    watcher: sharedString(dialog.watcher),
    event: dialog.event,
    status: dialog.status,
    localCseq: dialog.localCseq,
    remoteCseq: dialog.remoteCseq,
    expiresAt: dialog.expiresAt,
    edgeId: dialog.edgeId,
    flow: dialog.flow,
  };
  if (dialog.viewKey === undefined && dialog.filter === undefined && dialog.partial === undefined) return Object.freeze(stored);
  return frozenCopy(Object.assign(stored, optionalFields(dialog)));
}

function optionalFields(dialog: DialogRecord): Pick<DialogRecord, OptionalField> {
  return {
    ...(dialog.viewKey === undefined ? {} : { viewKey: dialog.viewKey }),
    ...(dialog.filter === undefined ? {} : { filter: dialog.filter }),
    ...(dialog.partial === undefined ? {} : { partial: dialog.partial }),
  };
}
