import type { WatcherDialog } from '../subscriptions/index.js';
import { EntityTags } from './entity-tags.js';
import { PIDF_CONTENT_TYPE } from './notify-request.js';
import type { PresentityInterest } from './presentity-interest.js';

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
}

/**
 * Presence (RFC 3856): every watcher of a presentity gets the bytes the
 * interest holds for its view (pres-rules, RFC 5025), encoded once per version.
 */
export class PresenceBodies implements NotifyBodies {
  readonly contentType = PIDF_CONTENT_TYPE;
  private readonly tags = new EntityTags();

  constructor(private readonly interest: Pick<PresentityInterest, 'current' | 'bodyOf'>) {}

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const watched = this.interest.current(dialog.presentity);
    if (!watched) return undefined;
    return { body: this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey), changedAt: watched.changedAt, etag: this.tags.of(dialog.presentity, watched, dialog.viewKey) };
  }

  entityTag(dialog: WatcherDialog): string | undefined {
    const watched = this.interest.current(dialog.presentity);
    return watched && this.tags.of(dialog.presentity, watched, dialog.viewKey);
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(): void {}
}
