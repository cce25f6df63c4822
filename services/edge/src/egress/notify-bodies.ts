import type { WatcherDialog } from '../subscriptions/index.js';
import { PIDF_CONTENT_TYPE } from './notify-request.js';
import type { FilteredViews } from './filtered-views.js';
import type { PresentityInterest } from './presentity-interest.js';

/** A NOTIFY body and when the state it shows was committed (0: unknown, e.g. from a snapshot). */
export interface NotifyBody {
  readonly body: string | Uint8Array;
  readonly changedAt: number;
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
  /** The body of the NOTIFY about to go to the dialog; undefined while no state is known here. */
  next(dialog: WatcherDialog): NotifyBody | undefined;
  /** The final NOTIFY's body when the subscriptions gave none. */
  final(dialog: WatcherDialog): string | Uint8Array;
  /** The dialog sends nothing more: drop what was kept for it. */
  forget(dialog: WatcherDialog): void;
  /** For a dialog holding a notification filter: whether the state now held notifies it (RFC 4661 triggers). */
  wants?(dialog: WatcherDialog): boolean;
}

/**
 * Presence (RFC 3856): every watcher of a presentity gets the bytes the
 * interest holds for its view (pres-rules, RFC 5025), encoded once per version.
 */
export class PresenceBodies implements NotifyBodies {
  readonly contentType = PIDF_CONTENT_TYPE;

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
    return { body: filter && this.filtered ? this.filtered.bodyOf(filter, dialog.presentity, dialog.viewKey, body) : body, changedAt: watched.changedAt };
  }

  wants(dialog: WatcherDialog): boolean {
    const watched = this.interest.current(dialog.presentity);
    if (!watched || !dialog.filter || !this.filtered) return true;
    return this.filtered.wants(dialog.filter, dialog.presentity, dialog.viewKey, this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey));
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(): void {}
}
