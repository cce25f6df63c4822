import type { OutgoingRequest } from '@presence/sip';
import type { WatcherDialog } from '../subscriptions/index.js';

export const PIDF_CONTENT_TYPE = 'application/pidf+xml';

/**
 * An in-dialog NOTIFY (RFC 6665 §4.2.2, RFC 3261 §12.2.1.1): to the remote
 * target through the route set, our tag in From, the subscriber's in To.
 * Only these headers are per watcher; a presence body is the watcher's view
 * of the presentity's document as rendered once by its agent and encoded
 * once by this edge, or empty when the watcher may see no state.
 */
export function notifyRequest(
  dialog: WatcherDialog,
  subscriptionState: string,
  body: string | Uint8Array,
  contentType: string,
  etag?: string,
  extra?: Readonly<Record<string, string>>,
): OutgoingRequest {
  const headers: Record<string, string | readonly string[]> = {
    from: `<${dialog.localUri}>;tag=${dialog.localTag}`,
    to: `<${dialog.remoteUri}>;tag=${dialog.remoteTag}`,
    'call-id': dialog.callId,
    cseq: `${dialog.localCseq} NOTIFY`,
    contact: `<${dialog.localContact}>`,
    event: dialog.event,
    'subscription-state': subscriptionState,
  };
  // A NOTIFY without state (pending, rejected) has no body, so no Content-Type (RFC 3261 §20.15).
  if (body.length > 0) headers['content-type'] = contentType;
  if (extra !== undefined && body.length > 0) Object.assign(headers, extra);
  // RFC 5839 §6.2: the entity-tag of the state, also when its body is suppressed.
  if (etag !== undefined) headers['sip-etag'] = etag;
  if (dialog.routeSet.length > 0) headers.route = dialog.routeSet;
  return { method: 'NOTIFY', uri: dialog.remoteTarget, headers, body };
}
