/**
 * What the bench's watchers ask of the server (issue #15, `--watcher-profile`):
 * - full: the whole document on every change (RFC 3856);
 * - partial: Accept lists application/pidf-diff+xml beside application/pidf+xml,
 *   so a server doing partial notification (RFC 5262/5263) may send patches;
 * - filtered: the SUBSCRIBE carries an RFC 4661 filter selecting the basic
 *   status, with a trigger on its change;
 * - conditional: refresh SUBSCRIBEs carry SIP-If-Match with the last
 *   SIP-ETag seen in a NOTIFY (RFC 5839), so a server doing conditional
 *   notification may answer with a NOTIFY without body (or 204).
 */
export const WATCHER_PROFILES = ['full', 'partial', 'filtered', 'conditional'] as const;
export type WatcherProfile = (typeof WATCHER_PROFILES)[number];

export const SIMPLE_FILTER = 'application/simple-filter+xml';

/** RFC 4661: only the basic status, and a NOTIFY only when it changes. */
export const BASIC_STATUS_FILTER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter">' +
  '<ns-bindings><ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/></ns-bindings>' +
  '<filter id="basic"><what><include type="xpath">/pidf:presence/pidf:tuple/pidf:status/pidf:basic</include></what>' +
  '<trigger><changed>/pidf:presence/pidf:tuple/pidf:status/pidf:basic</changed></trigger></filter>' +
  '</filter-set>';

export interface SubscribeExtras {
  readonly headers: readonly string[];
  readonly contentType?: string;
  readonly body?: string;
}

/**
 * Headers (and body) of a watcher's SUBSCRIBE under `profile`. `etag`: the
 * SIP-ETag of the last NOTIFY the dialog saw, for a conditional refresh.
 * A filter goes in the initial SUBSCRIBE only: a refresh without a body keeps
 * it (RFC 4660 §3.3.3).
 */
export function subscribeExtras(profile: WatcherProfile | undefined, refresh: boolean, etag: string | undefined): SubscribeExtras {
  switch (profile) {
    case 'partial':
      return { headers: ['Accept: application/pidf+xml, application/pidf-diff+xml'] };
    case 'filtered':
      return refresh ? { headers: ['Accept: application/pidf+xml'] } : { headers: ['Accept: application/pidf+xml'], contentType: SIMPLE_FILTER, body: BASIC_STATUS_FILTER };
    case 'conditional':
      return { headers: refresh && etag !== undefined ? ['Accept: application/pidf+xml', `SIP-If-Match: ${etag}`] : ['Accept: application/pidf+xml'] };
    default:
      return { headers: ['Accept: application/pidf+xml'] };
  }
}

/** Whether NOTIFYs under `profile` carry the published document's timestamp note (a basic-status filter strips it). */
export function carriesTimestamps(profile: WatcherProfile | undefined): boolean {
  return profile !== 'filtered';
}
