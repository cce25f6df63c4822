import type { XcapDocumentRef } from '@presence/core';
import { XcapFailure } from './xcap-failure.js';

/**
 * Who may do what (issue #12, RFC 4825 §5.7): a user reaches only the
 * documents under `users/<own AOR>`; the global tree is read only for
 * everyone. `requester` undefined means authentication is off (--auth
 * none, loopback only): any user tree is open, the global tree still
 * read only.
 */
export function checkAccess(requester: string | undefined, method: string, ref: XcapDocumentRef): void {
  if (ref.scope === 'global') {
    if (method !== 'GET' && method !== 'HEAD') throw new XcapFailure(403, 'Forbidden: the global tree is read only');
    return;
  }
  if (requester !== undefined && requester !== ref.owner) throw new XcapFailure(403, `Forbidden: ${requester} may reach only its own documents`);
}
