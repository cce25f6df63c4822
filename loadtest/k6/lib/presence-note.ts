/**
 * The PIDF a k6 publisher sends and what a watcher reads back from a NOTIFY.
 * The tuple note carries the run, a per-presentity sequence number and the
 * send time: `<note>k6 run=ab12 seq=3 ts=1700000000123 final</note>`.
 * The sequence lets a watcher count the changes it never saw; the time gives
 * PUBLISH→NOTIFY latency (publisher and watcher are VUs of one k6 process, so
 * one clock); `final` marks a publisher's last change; the run keeps a
 * leftover publication of an earlier run (not yet expired) from counting.
 */

export interface PublishedChange {
  readonly run: string;
  readonly seq: number;
  /** Epoch milliseconds when the publisher built the PUBLISH. */
  readonly sentAtMs: number;
  readonly final: boolean;
}

export function pidfDocument(entity: string, open: boolean, change: PublishedChange): string {
  const note = `k6 run=${change.run} seq=${change.seq} ts=${change.sentAtMs}${change.final ? ' final' : ''}`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
    `<tuple id="k6-${change.run}"><status><basic>${open ? 'open' : 'closed'}</basic></status><note>${note}</note></tuple>` +
    '</presence>'
  );
}

/** The change of run `run` in a NOTIFY body (the composed document may hold other tuples), or undefined. */
export function readPublishedChange(body: string, run: string): PublishedChange | undefined {
  const pattern = /k6 run=([A-Za-z0-9]+) seq=(\d+) ts=(\d+)( final)?/g;
  for (let m = pattern.exec(body); m !== null; m = pattern.exec(body)) {
    if (m[1] === run) return { run, seq: Number(m[2]), sentAtMs: Number(m[3]), final: m[4] !== undefined };
  }
  return undefined;
}
