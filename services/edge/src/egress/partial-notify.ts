import { RecentMap } from '@presence/core';
import { pidfDiffOf, pidfFullOf, presenceTree, withVersion, type VersionedXml, type XmlElement } from '@presence/pidf';
import type { PresenceMetrics } from '@presence/metrics';
import type { PartialNotifyState, WatcherDialog } from '../subscriptions/index.js';
import type { WatchedState } from './presentity-interest.js';

/** Versions of one (presentity, view) kept as a diff's starting point: a watcher further behind gets the full state. */
const KEPT_VERSIONS = 4;
/** Renders pidf-diff and pidf-full bodies (libs/pidf). */
export interface PartialRenderer {
  diff(from: XmlElement, to: XmlElement, fullLength: number): VersionedXml | undefined;
  full(presence: XmlElement): VersionedXml;
}

/** (presentity, view) pairs with partial watchers whose recent documents are kept… */
const KEPT_PRESENTITIES = 10_000;
/** …and at most about this many bytes of them (documents, their parsed trees, the rendered bodies). */
const KEPT_BYTES = 32 * 1024 * 1024;
/** A parsed tree and the rendered bodies cost a few times the document's text: counted so. */
const WEIGHT_PER_CHARACTER = 6;

/**
 * Composed documents are the agent's own, possibly larger than one
 * publication may be (several publications composed): read with room.
 */
const OWN_DOCUMENT_LIMITS = { maxBytes: 4 * 1024 * 1024, maxDepth: 64, maxElements: 100_000, maxAttributes: 256 };

/** One version of the document a view shows, as sent to partial watchers (a dialog's `basis`). */
interface SentDocument {
  readonly version: number;
  readonly bytes: Uint8Array;
  readonly xml: string;
  tree: XmlElement | undefined;
}

/** What is kept per (presentity, view): the last versions sent, and the bodies rendered for the newest. */
interface ViewHistory {
  readonly incarnation: string;
  /** Oldest first, at most KEPT_VERSIONS; the last is the newest. */
  readonly documents: SentDocument[];
  /** The newest version as <pidf-full>, rendered once. */
  full: VersionedXml | undefined;
  /** From an older kept document to the newest; null: send full (no smaller diff). */
  readonly diffs: Map<SentDocument, VersionedXml | null>;
}

/**
 * RFC 5262/5263 partial notification for the watchers who accept
 * application/pidf-diff+xml: the first NOTIFY carries `<pidf-full>`, later
 * ones a `<pidf-diff>` from the version the watcher last got to the current
 * one, with the subscription's version counter (consecutive: one per
 * NOTIFY with a body). Bodies are rendered once per (version, view, starting
 * version) and shared by every watcher in the same place; only the version
 * number is filled in per watcher. A watcher gets the full state again when
 * there is nothing to diff from: its first NOTIFY, a refresh (same version
 * as last sent), another view or store incarnation, a starting version no
 * longer kept (more than KEPT_VERSIONS behind), or a diff no smaller than
 * the document. Rate-coalesced NOTIFYs spanning several versions diff from
 * what the watcher last got, so pacing does not cost full documents.
 */
export class PartialPresenceBodies {
  private readonly views = new RecentMap<string, ViewHistory>(KEPT_PRESENTITIES, { max: KEPT_BYTES, weigh: (_key, history) => weightOf(history) });

  constructor(
    private readonly metrics: Pick<PresenceMetrics, 'partialNotifies'>,
    /** How bodies are rendered (a seam for tests counting renders). */
    private readonly render: PartialRenderer = { diff: pidfDiffOf, full: pidfFullOf },
  ) {}

  /** The body for `dialog`, whose view of the presentity's `watched` version is `bytes`. */
  body(dialog: WatcherDialog, state: PartialNotifyState, watched: WatchedState, bytes: Uint8Array): Uint8Array {
    // A filtered partial watcher's documents are its filter class's (RFC 4661): their history is the class's own.
    const key = `${dialog.presentity}\u0000${dialog.viewKey}\u0000${dialog.filter?.digest ?? ''}`;
    const history = this.historyOf(key, watched, bytes);
    const newest = history.documents[history.documents.length - 1]!;
    const diff = this.diffFor(state.basis as SentDocument | undefined, history, newest);
    const document = diff ?? (history.full ??= this.render.full(treeOf(newest)));
    this.views.set(key, history);
    this.metrics.partialNotifies.inc({ kind: diff === undefined ? 'full' : 'diff' });
    state.sent += 1;
    state.basis = newest;
    return Buffer.from(withVersion(document, state.sent), 'utf8');
  }

  /**
   * The history of the view with `bytes` as its newest document. Another
   * incarnation, or other bytes for a version already kept (a view that
   * arrived after its version), start it over: what was kept no longer holds.
   */
  private historyOf(key: string, watched: WatchedState, bytes: Uint8Array): ViewHistory {
    let history = this.views.get(key);
    const newest = history?.documents[history.documents.length - 1];
    if (history !== undefined && newest !== undefined && history.incarnation === watched.incarnation) {
      if (newest.version === watched.version && (newest.bytes === bytes || newest.xml === decode(bytes))) return history;
      if (newest.version >= watched.version) history = undefined;
    } else history = undefined;
    history ??= { incarnation: watched.incarnation, documents: [], full: undefined, diffs: new Map() };
    history.documents.push({ version: watched.version, bytes, xml: decode(bytes), tree: undefined });
    // A dropped document may still be some dialog's basis (which then gets full state): its parse is not kept for it.
    if (history.documents.length > KEPT_VERSIONS) history.documents.shift()!.tree = undefined;
    history.full = undefined;
    history.diffs.clear();
    return history;
  }

  /** The diff from what the watcher last got, if that is a document this view still keeps and not the newest itself (a refresh). */
  private diffFor(basis: SentDocument | undefined, history: ViewHistory, newest: SentDocument): VersionedXml | undefined {
    if (basis === undefined || basis === newest || !history.documents.includes(basis)) return undefined;
    let diff = history.diffs.get(basis);
    if (diff === undefined) {
      diff = this.render.diff(treeOf(basis), treeOf(newest), newest.xml.length) ?? null;
      history.diffs.set(basis, diff);
    }
    return diff ?? undefined;
  }
}

function treeOf(document: SentDocument): XmlElement {
  return (document.tree ??= presenceTree(document.xml, OWN_DOCUMENT_LIMITS));
}

function decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function weightOf(history: ViewHistory): number {
  let characters = 0;
  for (const document of history.documents) characters += document.xml.length;
  return characters * WEIGHT_PER_CHARACTER;
}
