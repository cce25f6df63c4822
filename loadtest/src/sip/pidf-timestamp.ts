/**
 * The published document carries its send time in a tuple note
 * (`<note>lt-ts=1700000000123.456</note>`, epoch ms with µs), so a watcher
 * can compute PUBLISH→NOTIFY latency from the NOTIFY body alone, in another
 * process of the same machine. Notes survive composition here and in
 * Kamailio, which relays the published tuples.
 */
const MARK = 'lt-ts=';

export type BasicStatus = 'open' | 'closed';

export function pidfWithTimestamp(entity: string, status: BasicStatus, sentAtMs: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
    `<tuple id="lt"><status><basic>${status}</basic></status>${timestampNote(sentAtMs)}</tuple>` +
    '</presence>'
  );
}

/** The tuple note carrying a send time, for documents of other shapes. */
export function timestampNote(sentAtMs: number): string {
  return `<note>${MARK}${sentAtMs.toFixed(3)}</note>`;
}

/** The timestamp in a NOTIFY body, or undefined (initial state, other documents). */
export function readTimestamp(body: string): number | undefined {
  const at = body.indexOf(MARK);
  if (at < 0) return undefined;
  let end = at + MARK.length;
  while (end < body.length) {
    const c = body.charCodeAt(end);
    if ((c < 48 || c > 57) && c !== 46) break;
    end++;
  }
  const value = Number(body.slice(at + MARK.length, end));
  return end > at + MARK.length && Number.isFinite(value) ? value : undefined;
}

/** Wall-clock epoch ms with sub-ms resolution, comparable between processes of one machine. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * preciseNowMs rounded to the µs the document carries, so the value a
 * watcher reads back equals the one the publisher remembers (convergence
 * compares them exactly).
 */
export function timestampNowMs(): number {
  return Math.round(preciseNowMs() * 1000) / 1000;
}
