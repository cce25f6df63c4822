import { PIDF_DIFF_CONTENT_TYPE } from '@presence/pidf';
import type { WatcherDialog } from '../subscriptions/index.js';
import { EntityTags } from './entity-tags.js';
import { PIDF_CONTENT_TYPE } from './notify-request.js';
import type { FilteredViews } from './filtered-views.js';
import type { PartialPresenceBodies } from './partial-notify.js';
import type { PresentityInterest, WatchedState } from './presentity-interest.js';

/** Characters of the filter digest (base64url, 6 bits each) that qualify a filtered watcher's entity-tag: 72 bits. */
const FILTER_TAG_LENGTH = 12;

/** A NOTIFY body and when the state it shows was committed (0: unknown, e.g. from a snapshot). */
export interface NotifyBody {
  readonly body: string | Uint8Array;
  readonly changedAt: number;
  /** RFC 5839 entity-tag of the body (SIP-ETag); undefined for a package that issues none. */
  readonly etag?: string;
  /** Headers this body needs in its NOTIFY beyond the package's Content-Type (a list body: its multipart Content-Type with a fresh boundary, Require: eventlist). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Where the NOTIFY bodies of one event package come from: the notifier's
 * pacing, coalescing and failure handling are the same for every package,
 * only the body differs (one shared document per presentity for presence,
 * one document per dialog and version for watcherinfo).
 */
export interface NotifyBodies {
  readonly contentType: string;
  /** A dialog's own body type, when it negotiated another (RFC 5263 partial notification); absent: contentType. */
  contentTypeOf?(dialog: WatcherDialog): string;
  /**
   * The body of the NOTIFY about to go to the dialog; undefined while no state is known here. `bodiless`: the NOTIFY
   * goes without its body (RFC 5839 condition), so nothing is rendered and no per-dialog sequence moves (RFC 5263 versions).
   */
  next(dialog: WatcherDialog, bodiless?: boolean): NotifyBody | undefined;
  /** The final NOTIFY's body (a NotifyBody when it needs headers of its own, as a list's multipart does). */
  final(dialog: WatcherDialog): string | Uint8Array | NotifyBody;
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
    private readonly options: {
      /** Watchers with a notification filter get their class's bytes (RFC 4661), rendered once per version. */
      readonly filtered?: FilteredViews;
      /** Watchers who accept application/pidf-diff+xml (RFC 5263); the others never reach it. */
      readonly partial?: PartialPresenceBodies;
    } = {},
  ) {}

  contentTypeOf(dialog: WatcherDialog): string {
    return dialog.partial === undefined || this.options.partial === undefined ? PIDF_CONTENT_TYPE : PIDF_DIFF_CONTENT_TYPE;
  }

  /**
   * The view's bytes, through the watcher's filter if it has one (RFC 4661 `what`), then as pidf-full / pidf-diff
   * from what this dialog was last sent if it is a partial watcher (RFC 5263): a filtered partial watcher gets
   * diffs between filtered documents.
   */
  next(dialog: WatcherDialog, bodiless = false): NotifyBody | undefined {
    const watched = this.interest.current(dialog.presentity);
    if (!watched) return undefined;
    const etag = this.tagOf(dialog, watched);
    if (bodiless) return { body: '', changedAt: watched.changedAt, etag };
    const { filtered, partial } = this.options;
    const view = this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey);
    const shown = dialog.filter && filtered ? filtered.bodyOf(dialog.filter, dialog.presentity, dialog.viewKey, view) : view;
    const body = dialog.partial && partial ? partial.body(dialog, dialog.partial, watched, shown) : shown;
    return { body, changedAt: watched.changedAt, etag };
  }

  entityTag(dialog: WatcherDialog): string | undefined {
    const watched = this.interest.current(dialog.presentity);
    return watched && this.tagOf(dialog, watched);
  }

  wants(dialog: WatcherDialog): boolean {
    const watched = this.interest.current(dialog.presentity);
    const { filtered } = this.options;
    if (!watched || !dialog.filter || !filtered) return true;
    return filtered.wants(dialog.filter, dialog.presentity, dialog.viewKey, this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey));
  }

  /**
   * A filtered watcher's entity is its class's rendering (RFC 4661 `what`), not the view: its tag is the view's tag
   * qualified by the filter set's digest, so the same version through another filter never matches, a refresh that
   * changes the filters makes the held tag stale, and every edge still derives the same tag for the same bytes.
   * A partial watcher's tag is that of the document it holds once the body is applied (pidf-full or pidf-diff alike).
   */
  private tagOf(dialog: WatcherDialog, watched: WatchedState): string {
    const tag = this.tags.of(dialog.presentity, watched, dialog.viewKey);
    return dialog.filter && this.options.filtered ? `${tag}.${dialog.filter.digest.slice(0, FILTER_TAG_LENGTH)}` : tag;
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(): void {}
}
