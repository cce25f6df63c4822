import { Buffer } from 'node:buffer';
import type { PresenceMetrics } from '@presence/metrics';
import { defaultPidfLimits, parseXmlTree, type XmlElement } from '@presence/pidf';
import { activeFilters, changeNotifies, filterDocument, type FilterDefinition, type FilteredVersion, type FilterSet } from '@presence/policy';

/** The view bytes of one version (as the interest holds them) and what a filter class made of them. */
interface Rendered extends FilteredVersion {
  readonly source: Uint8Array;
  readonly bytes: Uint8Array;
}

/**
 * The watchers of one presentity, through one view, holding one filter set
 * (equal digest): they receive the same bytes and are notified together.
 */
interface FilterClass {
  readonly filters: readonly FilterDefinition[];
  /** What the class was last notified: the baseline its triggers compare with. */
  notified: Rendered | undefined;
  /** The newest version rendered: shared by every watcher of the class. */
  rendered: Rendered | undefined;
  /** Whether the change to `verdict.source` notifies, decided once for the class. */
  verdict: { readonly source: Uint8Array; readonly fires: boolean } | undefined;
}

/** Filter classes kept at once; past it the least recently used is forgotten (its next change notifies). */
export const MAX_FILTER_CLASSES = 10_000;

/**
 * Event notification filters at the edge (RFC 4660/4661). Only dialogs that
 * sent a filter reach this; the others keep the shared view bytes and cost
 * nothing here.
 *
 * A filter class is (presentity, view key, filter digest). Per class and
 * version the filtered document is rendered once and its bytes shared by
 * the class's watchers; the view's bytes are parsed once per version
 * (whatever the classes), keyed by the bytes themselves, so no version
 * bookkeeping is needed and a dropped version frees its tree.
 *
 * When the presentity changes, the class decides once whether its watchers
 * hear of it: its triggers compare the new version with the version the
 * class was LAST NOTIFIED (not the previous version), so changes that do not
 * fire accumulate until one does — `<changed by="…">` sees the drift since
 * the last NOTIFY, and a change that comes back before anything fired is no
 * change. A class that fires takes the new version as its baseline. The
 * baseline starts at the first NOTIFY rendered for the class (a watcher's
 * initial NOTIFY); a class forgotten (bounded, least recently used) starts
 * again by notifying.
 */
export class FilteredViews {
  private readonly classes = new Map<string, FilterClass>();
  private readonly trees = new WeakMap<Uint8Array, XmlElement | null>();

  constructor(private readonly metrics: PresenceMetrics) {}

  /** The body for a filtered watcher: the class's rendering of `source` (the view's bytes at the held version). */
  bodyOf(filter: FilterSet, presentity: string, viewKey: string, source: Uint8Array): Uint8Array {
    const filterClass = this.classOf(filter, presentity, viewKey);
    const rendered = this.render(filterClass, presentity, source);
    if (rendered === undefined) return source;
    filterClass.notified ??= rendered;
    return rendered.bytes;
  }

  /** Whether a filtered watcher hears of the change to `source` (decided once per class and version). */
  wants(filter: FilterSet, presentity: string, viewKey: string, source: Uint8Array): boolean {
    const filterClass = this.classOf(filter, presentity, viewKey);
    if (filterClass.verdict?.source === source) return filterClass.verdict.fires;
    const current = this.render(filterClass, presentity, source);
    const baseline = filterClass.notified;
    const fires = current === undefined || baseline === undefined || changeNotifies(filterClass.filters, baseline, current);
    filterClass.verdict = { source, fires };
    if (fires) filterClass.notified = current;
    else this.metrics.notifiesDropped.inc({ reason: 'filtered' });
    return fires;
  }

  get size(): number {
    return this.classes.size;
  }

  private classOf(filter: FilterSet, presentity: string, viewKey: string): FilterClass {
    const key = `${filter.digest}\u0000${viewKey}\u0000${presentity}`;
    let filterClass = this.classes.get(key);
    if (filterClass !== undefined) {
      // Least recently used order: a Map keeps insertion order, so re-insert on use.
      this.classes.delete(key);
    } else {
      filterClass = { filters: activeFilters(filter, presentity), notified: undefined, rendered: undefined, verdict: undefined };
      if (this.classes.size >= MAX_FILTER_CLASSES) this.classes.delete(this.classes.keys().next().value!);
    }
    this.classes.set(key, filterClass);
    return filterClass;
  }

  /** Undefined when no filter applies or the view cannot be read as XML: the watcher gets the view as it is. */
  private render(filterClass: FilterClass, presentity: string, source: Uint8Array): Rendered | undefined {
    if (filterClass.filters.length === 0) return undefined;
    if (filterClass.rendered?.source === source) return filterClass.rendered;
    const root = this.treeOf(source);
    if (root === undefined) return undefined;
    const body = filterDocument(filterClass.filters, root, presentity)!;
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(body, 'utf8'));
    bytes.write(body, 'utf8');
    filterClass.rendered = { source, root, body, bytes };
    return filterClass.rendered;
  }

  private treeOf(source: Uint8Array): XmlElement | undefined {
    let root = this.trees.get(source);
    if (root === undefined) {
      try {
        root = parseXmlTree(Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8'), { limits: defaultPidfLimits });
      } catch {
        // The agent composes what it sends; an unreadable view is a bug elsewhere, shown unfiltered rather than not at all.
        root = null;
      }
      this.trees.set(source, root);
    }
    return root ?? undefined;
  }
}
