/**
 * Every bus subject in one place.
 *   <prefix>pa.<partition>              requests to the presence agent owning a partition
 *   <prefix>ps.<partition>.<aor-token>  change events of one presentity (one per change)
 *   <prefix>edge.<edge-token>.deliver   a MESSAGE for a UA whose connection that edge holds (request/reply)
 * NATS tokens cannot contain '.', so the AOR and the edge id travel base64url-encoded.
 */
export interface Subjects {
  agent(partition: number): string;
  change(partition: number, presentity: string): string;
  edgeDeliver(edgeId: string): string;
}

export function createSubjects(prefix = ''): Subjects {
  if (prefix !== '' && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(prefix)) {
    throw new Error(`bus subject prefix "${prefix}" must be dot-separated tokens ending in "."`);
  }
  return {
    agent: (partition) => `${prefix}pa.${partition}`,
    change: (partition, presentity) => `${prefix}ps.${partition}.${aorToken(presentity)}`,
    edgeDeliver: (edgeId) => `${prefix}edge.${aorToken(edgeId)}.deliver`,
  };
}

export function aorToken(aor: string): string {
  return Buffer.from(aor, 'utf8').toString('base64url');
}
