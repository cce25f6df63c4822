import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import { decodeChangeEvent, POLITE_BLOCK_VIEW, WHOLE_DOCUMENT_VIEW, type ChangeEvent, type PresentitySnapshot, type Subjects } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { emptyPidf } from '@presence/pidf';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';

export interface WatchedState {
  /** -1 until the first snapshot or event arrived. */
  version: number;
  /** The store incarnation `version` counts in ('' when none came yet). */
  incarnation: string;
  /** The composed document, UTF-8 encoded once per version: every watcher's NOTIFY carries these bytes as they are. */
  body: Uint8Array;
  /** The same version through each restricted view its agent rendered (pres-rules transformations), encoded once; undefined when none. */
  views: Map<string, Uint8Array> | undefined;
  /** When the agent committed this version; 0 when it came from a snapshot. */
  changedAt: number;
  holders: number;
  readonly subscription: BusSubscription;
}

/** Who hears that a watched presentity moved to a newer version (the subscriptions watching it). */
export interface PresentityChangeDelegate {
  onPresentityChanged(presentity: string): void;
}

/**
 * This edge's interest in presentities: one bus subscription per presentity
 * with at least one holder (ARCHITECTURE "push fan-out to the edges"), and the
 * newest state seen, so NOTIFYs render from memory. A holder acquires BEFORE
 * asking the agent for the current state, so no change can slip between the
 * snapshot and the subscription. Events carry the full document: a skipped
 * version is harmless once a later one arrives; events lost with nothing after
 * them (bus outage) are repaired by the re-fetch after a reconnect.
 */
export class PresentityInterest {
  /** Set once while wiring (edge.ts): interest is built before the subscriptions it reports to. */
  delegate: PresentityChangeDelegate | undefined;
  private readonly watched = new Map<string, WatchedState>();

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly partitionCount: number,
    private readonly metrics: PresenceMetrics,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.watched.size;
  }

  /** The newest known state, once there is one. */
  current(presentity: string): WatchedState | undefined {
    const state = this.watched.get(presentity);
    return state && state.version >= 0 ? state : undefined;
  }

  /** Whether anyone here holds interest in the presentity (a state may not have arrived yet). */
  isWatched(presentity: string): boolean {
    return this.watched.has(presentity);
  }

  presentities(): IterableIterator<string> {
    return this.watched.keys();
  }

  acquire(presentity: string): void {
    const state = this.watched.get(presentity);
    if (state) {
      state.holders += 1;
      return;
    }
    const subject = this.subjects.change(partitionOf(presentity, this.partitionCount), presentity);
    const subscription = this.bus.subscribe(subject, this.onMessage);
    this.watched.set(presentity, { version: -1, incarnation: '', body: EMPTY_BODY, views: undefined, changedAt: 0, holders: 1, subscription });
    this.metrics.watchedPresentities.set(this.watched.size);
  }

  release(presentity: string): void {
    const state = this.watched.get(presentity);
    if (!state || --state.holders > 0) return;
    state.subscription.unsubscribe();
    this.watched.delete(presentity);
    this.metrics.watchedPresentities.set(this.watched.size);
  }

  /**
   * Records a snapshot or event if it is newer than what we have; true when
   * it moved the version. Views of the version held already are added (a
   * reply may carry a watcher's view the last event did not).
   */
  apply(snapshot: PresentitySnapshot, changedAt = 0): boolean {
    const state = this.watched.get(snapshot.presentity);
    const incarnation = snapshot.incarnation ?? '';
    if (!state) return false;
    if (!isNewer(incarnation, snapshot.version, state)) {
      if (snapshot.views !== undefined && incarnation === state.incarnation && snapshot.version === state.version) addViews(state, snapshot.views);
      return false;
    }
    state.version = snapshot.version;
    state.incarnation = incarnation;
    state.body = encodeOnce(snapshot.document);
    state.views = undefined;
    if (snapshot.views !== undefined) addViews(state, snapshot.views);
    state.changedAt = changedAt;
    return true;
  }

  /**
   * The NOTIFY body of `viewKey` at the held version: the document itself,
   * the offline document for a politely blocked watcher (RFC 5025 §3.2.1),
   * or the restricted view its agent rendered. A restricted view missing
   * (more views than the agent renders) shows the offline document: failing
   * closed never reveals what the rules hide.
   */
  bodyOf(presentity: string, state: WatchedState, viewKey: string): Uint8Array {
    if (viewKey === WHOLE_DOCUMENT_VIEW) return state.body;
    const view = viewKey === POLITE_BLOCK_VIEW ? undefined : state.views?.get(viewKey);
    if (view !== undefined) return view;
    if (viewKey !== POLITE_BLOCK_VIEW) this.metrics.notifiesDropped.inc({ reason: 'no_view' });
    return encodeOnce(emptyPidf(presentity));
  }

  close(): void {
    for (const state of this.watched.values()) state.subscription.unsubscribe();
    this.watched.clear();
    this.metrics.watchedPresentities.set(0);
  }

  /** One handler for every subscription (the event names its presentity), not a closure per presentity. */
  private readonly onMessage = (message: BusMessage): void => {
    let event: ChangeEvent;
    try {
      event = decodeChangeEvent(message.data);
    } catch (error) {
      this.logger.warn({ err: error }, 'dropping undecodable change event');
      return;
    }
    this.metrics.busMessagesPerChange.inc({ direction: 'in' });
    if (this.apply(event, event.changedAt)) this.delegate?.onPresentityChanged(event.presentity);
  };
}

const EMPTY_BODY = new Uint8Array(0);

function addViews(state: WatchedState, views: Readonly<Record<string, string>>): void {
  const held = (state.views ??= new Map());
  for (const [key, document] of Object.entries(views)) if (!held.has(key)) held.set(key, encodeOnce(document));
}

/**
 * Ordered by (incarnation, version): versions only compare within one store
 * incarnation. A different non-empty incarnation means the store lost the
 * record and counts again from 1, so it is newer whatever its version (else
 * watchers would stay stale until the new count passed the old one). An
 * empty one (a presentity the store does not know, or an old agent) never
 * displaces a known incarnation by itself.
 */
export function isNewer(incarnation: string, version: number, cached: Pick<WatchedState, 'incarnation' | 'version'>): boolean {
  if (cached.version < 0) return true;
  if (incarnation !== '' && incarnation !== cached.incarnation) return true;
  return version > cached.version;
}

/** Bytes with their own memory: a small Buffer.from() would be a slice of a shared pool slab and keep all of it alive. */
function encodeOnce(document: string): Uint8Array {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(document, 'utf8'));
  bytes.write(document, 'utf8');
  return bytes;
}
