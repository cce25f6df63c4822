import type { WatcherDialog } from '../subscriptions/index.js';
import { EntityTags } from './entity-tags.js';
import { PIDF_CONTENT_TYPE } from './notify-request.js';
import type { FilteredViews } from './filtered-views.js';
import type { PresentityInterest, WatchedState } from './presentity-interest.js';

/** Characters of the filter digest (base64url, 6 bits each) that qualify a filtered watcher's entity-tag: 72 bits. */
const FILTER_TAG_LENGTH = 12;

/** A NOTIFY body and when the state it shows was committed (0: unknown, e.g. from a snapshot). */
export interface NotifyBody {
  readonly body: string | Uint8Array;
  readonly changedAt: number;
  /** RFC 5839 entity-tag of the body (SIP-ETag); undefined for a package that issues none. */
  readonly etag?: string;
}

/**
 * Where the NOTIFY bodies of one event package come from: the notifier's
 * pacing, coalescing and failure handling are the same for every package,
 * only the body differs (one shared document per presentity for presence,
 * one document per dialog and version for watcherinfo).
 */
export interface NotifyBodies {
  readonly contentType: string;
  /** The body of the NOTIFY about to go to the dialog; undefined while no state is known here. */
  next(dialog: WatcherDialog): NotifyBody | undefined;
  /** The final NOTIFY's body when the subscriptions gave none. */
  final(dialog: WatcherDialog): string | Uint8Array;
  /** The dialog sends nothing more: drop what was kept for it. */
  forget(dialog: WatcherDialog): void;
  /** RFC 5839: the entity-tag of the state the dialog would be sent now; undefined without one. Absent: the package issues none. */
  entityTag?(dialog: WatcherDialog): string | undefined;
  /** For a dialog holding a notification filter: whether the state now held notifies it (RFC 4661 triggers). */
  wants?(dialog: WatcherDialog): boolean;
}

/**
 * Presence (RFC 3856): every watcher of a presentity gets the bytes the
 * interest holds for its view (pres-rules, RFC 5025), encoded once per version.
 */
export class PresenceBodies implements NotifyBodies {
  readonly contentType = PIDF_CONTENT_TYPE;
  private readonly tags = new EntityTags();

  constructor(
    private readonly interest: Pick<PresentityInterest, 'current' | 'bodyOf'>,
    /** Watchers with a notification filter get their class's bytes (RFC 4661), rendered once per version. */
    private readonly filtered?: FilteredViews,
  ) {}

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const watched = this.interest.current(dialog.presentity);
    if (!watched) return undefined;
    const body = this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey);
    const filter = dialog.filter;
    return {
      body: filter && this.filtered ? this.filtered.bodyOf(filter, dialog.presentity, dialog.viewKey, body) : body,
      changedAt: watched.changedAt,
      etag: this.tagOf(dialog, watched),
    };
  }

  entityTag(dialog: WatcherDialog): string | undefined {
    const watched = this.interest.current(dialog.presentity);
    return watched && this.tagOf(dialog, watched);
  }

  wants(dialog: WatcherDialog): boolean {
    const watched = this.interest.current(dialog.presentity);
    if (!watched || !dialog.filter || !this.filtered) return true;
    return this.filtered.wants(dialog.filter, dialog.presentity, dialog.viewKey, this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey));
  }

  /**
   * A filtered watcher's entity is its class's rendering (RFC 4661 `what`), not the view: its tag is the view's tag
   * qualified by the filter set's digest, so the same version through another filter never matches, a refresh that
   * changes the filters makes the held tag stale, and every edge still derives the same tag for the same bytes.
   */
  private tagOf(dialog: WatcherDialog, watched: WatchedState): string {
    const tag = this.tags.of(dialog.presentity, watched, dialog.viewKey);
    return dialog.filter && this.filtered ? `${tag}.${dialog.filter.digest.slice(0, FILTER_TAG_LENGTH)}` : tag;
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(): void {}
}
