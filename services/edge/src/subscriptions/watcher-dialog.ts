import { hash } from 'node:crypto';
import { WHOLE_DOCUMENT_VIEW } from '@presence/contracts';
import { filterSetOf, type FilterSet } from '@presence/policy';
import {
  nextSubscriptionState,
  normalizeAor,
  type DialogRecord,
  type SubscriptionEvent,
  type RateSchedule,
  type SubscriptionState,
  type TimerHandle,
} from '@presence/core';
import { detached, shared } from './compact-string.js';
import type { Expiring } from './expiry-queue.js';

/** What a dialog is built from: the SUBSCRIBE that creates it, or its mirror when adopted. */
export interface DialogFields {
  readonly id: string;
  readonly callId: string;
  /** Our To tag. */
  readonly localTag: string;
  /** From tag. */
  readonly remoteTag: string;
  /** To URI. */
  readonly localUri: string;
  /** From URI. */
  readonly remoteUri: string;
  /** Contact URI: where NOTIFYs go. */
  readonly remoteTarget: string;
  /** Record-Route in order (RFC 3261 §12.1.1: the UAS route set). */
  readonly routeSet: readonly string[];
  /** Normalized Request-URI AOR. */
  readonly presentity: string;
  /** Event header as received, echoed in NOTIFYs. */
  readonly event: string;
  readonly flow: string;
  /** IP address the dialog was created (or adopted) from: what the per-address cap counts it under. */
  readonly source: string;
  /** Our Contact on the flow's transport. */
  readonly localContact: string;
  readonly localCseq: number;
  readonly remoteCseq: number;
  readonly expiresAt: number;
  /** The subscriber accepts application/pidf-diff+xml (RFC 5263): NOTIFYs carry pidf-full, then pidf-diff. */
  readonly partial?: boolean;
}

/** Where a partial-notification watcher (RFC 5263) stands; allocated only for those. */
export interface PartialNotifyState {
  /** The version attribute of the last pidf-full or pidf-diff sent; -1 before the first. */
  sent: number;
  /** The document that NOTIFY showed, where the next diff starts: egress's record, opaque here. */
  basis: object | undefined;
}

/** What the edge decides for a dialog it creates; the rest is read from the SUBSCRIBE. */
export type DialogOwnFields = Pick<DialogFields, 'id' | 'presentity' | 'localCseq' | 'expiresAt'>;

/** What a dialog is read from besides its own fields (a SUBSCRIBE carries more, which is ignored). */
export type DialogSource = Omit<DialogFields, keyof DialogOwnFields>;

/** Per-watcher rate limiting state (RFC 6446), only allocated when a minimum NOTIFY interval is set or the watcher negotiated rates. */
export interface NotifyPacing {
  lastNotifyAt: number;
  timer: TimerHandle | undefined;
  /** The timer is a keep-alive (RFC 6446 min-rate, adaptive-min-rate), not the wait for the max-rate window. */
  keepAlive?: boolean;
  /** The rates this watcher negotiated (RFC 6446); undefined when it asked for none. */
  rates?: RateSchedule;
}

/**
 * RFC 5839 Suppress-If-Match of the watcher's latest SUBSCRIBE, while it
 * holds: 'match' (its entity-tag was current; false again at the next change
 * of state or view) or 'any' (the "*" wildcard: always true).
 */
export type NotifyCondition = 'none' | 'match' | 'any';

const IN_FLIGHT = 1;
const DIRTY = 2;
const TERMINATED = 4;
const PENDING = 8;
/** Two bits: the NotifyCondition (no field of its own: most watchers never set one). */
const CONDITION_MATCH = 16;
const CONDITION_ANY = 32;
const NO_ROUTES: readonly string[] = Object.freeze([]);

/**
 * A notifier-side subscription dialog held by this edge (RFC 6665 §4.1.2 /
 * RFC 3261 §12.1.1). The edge holds one per watcher, so it is kept small:
 * its strings own their characters or are shared (compact-string.ts), what
 * can be derived is not stored, and the flags share one number.
 */
export class WatcherDialog implements Expiring {
  readonly id: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly presentity: string;
  /** Event header value we echo in NOTIFYs (package plus any id parameter, RFC 6665 §8.2.1). */
  readonly event: string;
  /** Kept (shared, one per address) because the flow may move while the count must be released where it was taken. */
  readonly source: string;
  localCseq: number;
  remoteCseq: number;
  /** Written only by transition(), and read by the expiry queue (which moves the dialog on schedule). */
  expiresAt: number;
  /** Undefined while no minimum NOTIFY interval is configured. */
  pacing: NotifyPacing | undefined = undefined;
  /** The watcher's notification filters (RFC 4660/4661); undefined (one empty slot) for the watchers that sent none. */
  filter: FilterSet | undefined = undefined;
  /** Undefined unless the watcher negotiated partial notification (RFC 5263). */
  partial: PartialNotifyState | undefined = undefined;
  /** Position in the registry's expiry queue. */
  expirySlot = -1;
  /**
   * Which view of the presentity's document the watcher gets, as its agent
   * decided (WHOLE_DOCUMENT_VIEW, POLITE_BLOCK_VIEW or a restricted view's
   * key); shared, one copy per distinct key.
   */
  viewKey: string = WHOLE_DOCUMENT_VIEW;
  /** Links among the dialogs watching the same presentity; only DialogTable writes them. */
  previousWatcher: WatcherDialog | undefined = undefined;
  nextWatcher: WatcherDialog | undefined = undefined;
  /** The To URI of the SUBSCRIBE, kept only when it is not the presentity itself (it nearly always is). */
  readonly #toUri: string | undefined;
  #flow: string;
  #localContact: string;
  #flags = 0;

  /**
   * `own` holds what the edge decides for a new dialog (id, presentity, CSeq,
   * expiry), so the SUBSCRIBE's fields are read as they are rather than
   * spread into a new object (~1 µs per SUBSCRIBE on V8's slow path). A
   * mirror has them all: pass it as both.
   */
  constructor(fields: DialogSource, own: DialogOwnFields) {
    // Not copied again: dialogId() and fromDialogRecord() hand over a flat id, and the
    // store's records in one process (mirror, watcher) then share this one string.
    this.id = own.id;
    this.callId = detached(fields.callId);
    this.localTag = detached(fields.localTag);
    this.remoteTag = detached(fields.remoteTag);
    // Shared: the From URI is nearly always the watcher's AOR as written, which the caps (and, in one process, the store) keep shared.
    this.remoteUri = shared(fields.remoteUri);
    this.remoteTarget = detached(fields.remoteTarget);
    this.routeSet = fields.routeSet.length === 0 ? NO_ROUTES : fields.routeSet.map(shared);
    this.presentity = shared(own.presentity);
    this.event = shared(fields.event);
    this.#toUri = fields.localUri === this.presentity ? undefined : detached(fields.localUri);
    this.#flow = shared(fields.flow);
    this.source = shared(fields.source);
    this.#localContact = shared(fields.localContact);
    this.localCseq = own.localCseq;
    this.remoteCseq = fields.remoteCseq;
    this.expiresAt = own.expiresAt;
    if (fields.partial === true) this.partial = { sent: -1, basis: undefined };
  }

  get localUri(): string {
    return this.#toUri ?? this.presentity;
  }

  /** The subscriber's AOR (what the agent knows the watcher as), from the From URI. */
  get watcher(): string {
    return normalizeAor(this.remoteUri);
  }

  /** Transport flow of the latest request from the subscriber, and our Contact on it. */
  get flow(): string {
    return this.#flow;
  }

  get localContact(): string {
    return this.#localContact;
  }

  /** NOTIFYs follow the flow of the subscriber's latest request (a refresh may come over a new one). */
  follow(flow: string, localContact: string): void {
    this.#flow = shared(flow);
    this.#localContact = shared(localContact);
  }

  /** A NOTIFY transaction is outstanding; the next waits for it (one at a time per dialog). */
  get inFlight(): boolean {
    return (this.#flags & IN_FLIGHT) !== 0;
  }

  set inFlight(on: boolean) {
    this.setFlag(IN_FLIGHT, on);
  }

  /** State changed since the last NOTIFY was built: send again when allowed. */
  get dirty(): boolean {
    return (this.#flags & DIRTY) !== 0;
  }

  set dirty(on: boolean) {
    this.setFlag(DIRTY, on);
  }

  /** RFC 6665 §4.1.3 status: active while held, terminated once ended (nothing is sent after the final NOTIFY). */
  get terminated(): boolean {
    return (this.#flags & TERMINATED) !== 0;
  }

  /** RFC 6665 §4.1.3 pending: waiting for the presentity's confirmation; NOTIFYs carry no state (RFC 3856 §6.6). Kept once terminated: the final NOTIFY of a pending subscription carries none either. */
  get pending(): boolean {
    return (this.#flags & PENDING) !== 0;
  }

  get status(): SubscriptionState['status'] {
    return this.terminated ? 'terminated' : this.pending ? 'pending' : 'active';
  }

  /** A new dialog's authorization as its agent decided it (before it is held: no state machine event yet). */
  startAs(status: 'pending' | 'active', viewKey: string): void {
    this.setFlag(PENDING, status === 'pending');
    this.viewKey = shared(viewKey);
  }

  /** A live dialog's new view (same status): polite-block and the views of the document swap without a state change. */
  showView(viewKey: string): void {
    // Another view is another entity (RFC 5839 §4): the watcher's entity-tag no longer matches.
    if (viewKey !== this.viewKey && this.condition === 'match') this.condition = 'none';
    this.viewKey = shared(viewKey);
  }

  get condition(): NotifyCondition {
    return (this.#flags & CONDITION_ANY) !== 0 ? 'any' : (this.#flags & CONDITION_MATCH) !== 0 ? 'match' : 'none';
  }

  set condition(condition: NotifyCondition) {
    this.setFlag(CONDITION_MATCH, condition === 'match');
    this.setFlag(CONDITION_ANY, condition === 'any');
  }

  /**
   * Runs core's RFC 6665 state machine (nextSubscriptionState) on this
   * dialog. The state lives in the TERMINATED bit and expiresAt, not in a
   * state object per dialog: it is read into a transient value for the
   * transition and written back. A dialog starts active or pending as its
   * agent decided (startAs); 'authorized' moves pending to active.
   * @throws NoSuchSubscriptionError (481) on an event after termination.
   */
  transition(event: SubscriptionEvent): SubscriptionState {
    const next = nextSubscriptionState({ status: this.status, expiresAt: this.expiresAt }, event);
    this.expiresAt = next.expiresAt;
    this.setFlag(TERMINATED, next.status === 'terminated');
    if (next.status !== 'terminated') this.setFlag(PENDING, next.status === 'pending');
    return next;
  }

  // Not a #method: those add a brand to every instance.
  private setFlag(bit: number, on: boolean): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit;
  }
}

/** 18 digest bytes: 24 base64url characters, the first 24 of the whole digest's (18 bytes are whole 3-byte groups). */
const ID_LENGTH = 24;

/**
 * Dialog id from Call-ID and both tags (RFC 3261 §12): bus-safe, fixed
 * length, the same on every edge (a refresh elsewhere finds the mirror by
 * it). One-shot crypto.hash: no Hash object per SUBSCRIBE. Flat: the slice
 * of the digest kept the whole 43-character digest alive in every record
 * that held the id (~96 bytes a dialog in one process).
 */
export function dialogId(callId: string, remoteTag: string, localTag: string): string {
  return detached(hash('sha256', `${callId}\u0000${remoteTag}\u0000${localTag}`, 'base64url').slice(0, ID_LENGTH));
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
    status: dialog.status,
    ...(dialog.viewKey === WHOLE_DOCUMENT_VIEW ? {} : { viewKey: dialog.viewKey }),
    ...(dialog.filter === undefined ? {} : { filter: dialog.filter.document }),
    ...(dialog.partial === undefined ? {} : { partial: true as const }),
    localCseq: dialog.localCseq,
    remoteCseq: dialog.remoteCseq,
    expiresAt: dialog.expiresAt,
    edgeId,
    flow: dialog.flow,
  };
}

/**
 * Adopts a mirrored dialog (e.g. its edge restarted); CSeq jumps ahead since
 * NOTIFYs may have followed the mirror. It keeps its mirrored status and view
 * (the agent's answer to the refresh that adopts it confirms both).
 */
export function fromDialogRecord(record: DialogRecord, flow: string, source: string, localContact: string): WatcherDialog {
  const fields: DialogFields = {
    id: detached(record.subscriptionId),
    callId: record.callId,
    localTag: record.localTag,
    remoteTag: record.remoteTag,
    localUri: record.localUri,
    remoteUri: record.remoteUri,
    remoteTarget: record.remoteTarget,
    routeSet: record.routeSet,
    presentity: record.presentity,
    event: record.event,
    flow,
    source,
    localContact,
    localCseq: record.localCseq + 1000,
    remoteCseq: record.remoteCseq,
    expiresAt: record.expiresAt,
    // The version count starts over: the adopting edge's first NOTIFY is a pidf-full, which a watcher takes as a new start.
    partial: record.partial === true,
  };
  const dialog = new WatcherDialog(fields, fields);
  dialog.startAs(record.status === 'pending' ? 'pending' : 'active', record.viewKey ?? WHOLE_DOCUMENT_VIEW);
  // The mirror holds what this server rendered and accepted: it parses again (a filter is never silently dropped).
  if (record.filter !== undefined) dialog.filter = filterSetOf(record.filter);
  return dialog;
}
