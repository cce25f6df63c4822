import { PIDF_DIFF_CONTENT_TYPE } from '@presence/pidf';
import type { WatcherDialog } from '../subscriptions/index.js';
import { PIDF_CONTENT_TYPE } from './notify-request.js';
import type { PartialPresenceBodies } from './partial-notify.js';
import type { PresentityInterest } from './presentity-interest.js';

/** A NOTIFY body and when the state it shows was committed (0: unknown, e.g. from a snapshot). */
export interface NotifyBody {
  readonly body: string | Uint8Array;
  readonly changedAt: number;
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

  constructor(
    private readonly interest: Pick<PresentityInterest, 'current' | 'bodyOf'>,
    /** Watchers who accept application/pidf-diff+xml (RFC 5263); the others never reach it. */
    private readonly partial?: PartialPresenceBodies,
  ) {}

  contentTypeOf(dialog: WatcherDialog): string {
    return dialog.partial === undefined ? PIDF_CONTENT_TYPE : PIDF_DIFF_CONTENT_TYPE;
  }

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const watched = this.interest.current(dialog.presentity);
    if (!watched) return undefined;
    const body = this.interest.bodyOf(dialog.presentity, watched, dialog.viewKey);
    if (dialog.partial === undefined || this.partial === undefined) return { body, changedAt: watched.changedAt };
    return { body: this.partial.body(dialog, dialog.partial, watched, body), changedAt: watched.changedAt };
  }

  final(dialog: WatcherDialog): string | Uint8Array {
    return this.next(dialog)?.body ?? '';
  }

  forget(): void {}
}
