/**
 * A published document carries a per-presentity sequence number and its send
 * time in a tuple note (`<note>chaos seq=12 t=1700000000123</note>`), so a
 * watcher can tell from a NOTIFY alone whether the state went backwards and
 * how late it came. A composed document may hold several publications of
 * the presentity (a publisher that lost its entity-tag starts a new one): its
 * state is the highest sequence number in it.
 */
const NOTE = /chaos seq=(\d+) t=(\d+)/g;

export interface SequencedState {
  /** 0: a document without any of our notes (no publication, or none survived). */
  readonly seq: number;
  /** Send time (epoch ms) of the PUBLISH that carried `seq`; 0 with seq 0. */
  readonly sentAtMs: number;
}

export function sequencedPidf(entity: string, tupleId: string, seq: number, sentAtMs: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
    `<tuple id="${tupleId}"><status><basic>${seq % 2 === 0 ? 'closed' : 'open'}</basic></status><note>chaos seq=${seq} t=${Math.round(sentAtMs)}</note></tuple>` +
    '</presence>'
  );
}

export function readSequencedState(body: string): SequencedState {
  let best: SequencedState = { seq: 0, sentAtMs: 0 };
  for (const match of body.matchAll(NOTE)) {
    const seq = Number(match[1]);
    if (seq > best.seq) best = { seq, sentAtMs: Number(match[2]) };
  }
  return best;
}
