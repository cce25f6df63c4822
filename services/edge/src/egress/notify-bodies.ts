import type { WatcherDialog } from '../subscriptions/index.js';
import { PIDF_CONTENT_TYPE } from './notify-request.js';
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
}

/**
 * Presence (RFC 3856): every watcher of a presentity gets the bytes the
 * interest holds for its view (pres-rules, RFC 5025), encoded once per version.
 */
export class PresenceBodies implements NotifyBodies {
  readonly contentType = PIDF_CONTENT_TYPE;

  constructor(private readonly interest: Pick<PresentityInterest, 'current' | 'bodyOf'>) {}

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const watched = this.interest.current(dialog.presentity);
    return watched && { body: this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey), changedAt: watched.changedAt };
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(): void {}
}
