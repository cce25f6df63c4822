import { RecentMap } from '@presence/core';
import { PresentityViews, type ViewRequest } from '@presence/policy';

/** A watcher with a restricted view: its subscription and what it may see. */
export interface RestrictedWatcher {
  readonly subscriptionId: string;
  readonly view: ViewRequest;
}

/** Reads who watches a presentity through a restricted view, from the store (after a hand-over, or when evicted). */
export type RestrictedWatchersLoader = (presentity: string) => Promise<readonly RestrictedWatcher[]>;

export interface WatcherViewsOptions {
  /** Presentities whose restricted watchers are kept in memory; beyond it the least recently used is read again when needed. */
  readonly presentities: number;
  /** Restricted watchers kept per presentity; beyond it a watcher's view is missing from the fan-out and its edge shows the offline document. */
  readonly watchersPerPresentity: number;
  /** Distinct views rendered per presentity version (PresentityViews). */
  readonly viewsPerPresentity: number;
}

interface Audience {
  readonly views: PresentityViews;
  readonly restricted: Map<string, ViewRequest>;
}

/**
 * Which restricted views each presentity's watchers hold, so a change is
 * rendered once per (version, distinct view) by the agent and carried to
 * the edges in the change event (issue #12), never per watcher. Kept in
 * memory per presentity, rebuilt from the store (`load`) the first time a
 * presentity is needed here (a partition gained, or evicted): its watchers
 * survive an ownership move, this memory does not.
 */
export class WatcherViews {
  private readonly audiences: RecentMap<string, Audience>;

  constructor(
    private readonly options: WatcherViewsOptions,
    private readonly load: RestrictedWatchersLoader,
  ) {
    this.audiences = new RecentMap(options.presentities);
  }

  /**
   * Records a watcher's view (undefined: it has none of its own any more).
   * Only for a presentity already known here; one not known is read whole
   * from the store when next rendered, this watcher included.
   */
  note(presentity: string, subscriptionId: string, view: ViewRequest | undefined): void {
    const audience = this.audiences.get(presentity);
    if (audience === undefined) return;
    if (view === undefined) audience.restricted.delete(subscriptionId);
    else if (audience.restricted.has(subscriptionId) || audience.restricted.size < this.options.watchersPerPresentity) audience.restricted.set(subscriptionId, view);
  }

  /** Forgets a presentity (its rules changed: it is read again with the new decisions). */
  forget(presentity: string): void {
    this.audiences.delete(presentity);
  }

  /** The restricted view keys currently held for `presentity` and what each shows, or undefined when not known here. */
  viewOf(presentity: string, subscriptionId: string): ViewRequest | undefined {
    return this.audiences.get(presentity)?.restricted.get(subscriptionId);
  }

  /**
   * Every restricted view of `version` of the presentity's composed
   * `document`, by view key, plus `extra` (a watcher being answered right
   * now); undefined when there is none (whole-document watchers only, the
   * case that costs nothing).
   */
  async render(presentity: string, version: number, document: string, extra?: ViewRequest): Promise<Record<string, string> | undefined> {
    const audience = await this.audience(presentity);
    if (audience.restricted.size === 0 && extra === undefined) return undefined;
    const rendered: Record<string, string> = {};
    for (const view of audience.restricted.values()) rendered[view.viewKey] ??= audience.views.viewOf(version, document, view);
    if (extra !== undefined) rendered[extra.viewKey] ??= audience.views.viewOf(version, document, extra);
    return rendered;
  }

  private async audience(presentity: string): Promise<Audience> {
    const known = this.audiences.get(presentity);
    if (known !== undefined) return known;
    const restricted = new Map<string, ViewRequest>();
    for (const watcher of await this.load(presentity)) {
      if (restricted.size >= this.options.watchersPerPresentity) break;
      restricted.set(watcher.subscriptionId, watcher.view);
    }
    // Another caller may have loaded it meanwhile: keep the first, which may hold notes since.
    const raced = this.audiences.get(presentity);
    if (raced !== undefined) return raced;
    const audience = { views: new PresentityViews(presentity, { maxViews: this.options.viewsPerPresentity }), restricted };
    this.audiences.set(presentity, audience);
    return audience;
  }
}
