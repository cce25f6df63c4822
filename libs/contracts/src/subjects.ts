/**
 * Every bus subject in one place.
 *   <prefix>pa.<partition>              requests to the presence agent owning a partition
 *   <prefix>ps.<partition>.<aor-token>  change events of one presentity (one per change)
 *   <prefix>pw.<partition>.<aor-token>  watcher changes of one presentity (RFC 3857 winfo feed, one per change)
 *   <prefix>edge.<edge-token>.deliver   a MESSAGE for a UA whose connection that edge holds (request/reply)
 *   <prefix>edge.<edge-token>.authz     a watcher's authorization changed; that edge holds its dialog
 *   <prefix>xcap.<auid>                 an XCAP document of that application usage changed (broadcast)
 * NATS tokens cannot contain '.', so the AOR and the edge id travel base64url-encoded.
 */
export interface Subjects {
  agent(partition: number): string;
  change(partition: number, presentity: string): string;
  watcherInfo(partition: number, presentity: string): string;
  edgeDeliver(edgeId: string): string;
  edgeAuthorization(edgeId: string): string;
  xcapChange(auid: string): string;
}

export function createSubjects(prefix = ''): Subjects {
  if (prefix !== '' && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(prefix)) {
    throw new Error(`bus subject prefix "${prefix}" must be dot-separated tokens ending in "."`);
  }
  return {
    agent: (partition) => `${prefix}pa.${partition}`,
    change: (partition, presentity) => `${prefix}ps.${partition}.${aorToken(presentity)}`,
    watcherInfo: (partition, presentity) => `${prefix}pw.${partition}.${aorToken(presentity)}`,
    edgeDeliver: (edgeId) => `${prefix}edge.${aorToken(edgeId)}.deliver`,
    edgeAuthorization: (edgeId) => `${prefix}edge.${aorToken(edgeId)}.authz`,
    xcapChange: (auid) => `${prefix}xcap.${auidToken(auid)}`,
  };
}

/** An auid is a token already (RFC 4825 §5.1) except for '.', which NATS reserves. */
function auidToken(auid: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(auid)) throw new Error(`XCAP auid "${auid}" is not a token`);
  return auid.replaceAll('.', '_');
}

export function aorToken(aor: string): string {
  return Buffer.from(aor, 'utf8').toString('base64url');
}
