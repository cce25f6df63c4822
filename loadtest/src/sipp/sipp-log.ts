/**
 * Reading what the SIPp scenarios in loadtest/sipp/ log (-trace_logs). SIPp
 * prints its numeric variables with six decimals, so a time is logged as
 * "<seconds>.000000 <microseconds>.000000" and the PIDF stamp as
 * "sipp-ts=<seconds>.000000/<microseconds>.000000". Pure: no I/O.
 */

/** A watcher's SUBSCRIBE that got its 2xx: send and receive times, epoch ms. */
export interface SubscribedLine {
  readonly kind: 'subscribed';
  readonly call: number;
  readonly sentMs: number;
  readonly answeredMs: number;
}

/** A NOTIFY a watcher received; `publishedMs` is the publisher's stamp, absent when the body has none. */
export interface NotifyLine {
  readonly kind: 'notify';
  readonly call: number;
  readonly presentity: string;
  readonly receivedMs: number;
  readonly publishedMs?: number;
}

/** A PUBLISH answered 200, with its send time (the stamp its NOTIFYs carry) and the new SIP-ETag. */
export interface AcceptedLine {
  readonly kind: 'accepted';
  readonly presentity: string;
  readonly sentMs: number;
  readonly etag: string;
}

/** A PUBLISH answered with a code the scenario survives (412, 503). */
export interface RejectedLine {
  readonly kind: 'rejected';
  readonly presentity: string;
  readonly code: string;
}

/** A watcher's SUBSCRIBE answered 503: the scenario sends it again after a pause. */
export interface RetriedLine {
  readonly kind: 'retried';
  readonly call: number;
  readonly code: string;
}

/** A call of publish-new.xml or subscribe-setup.xml that completed: request sent, and done (200; or 2xx and first NOTIFY). */
export interface CreatedLine {
  readonly kind: 'created';
  readonly call: number;
  readonly sentMs: number;
  readonly doneMs: number;
}

export type SippLogLine = SubscribedLine | NotifyLine | AcceptedLine | RejectedLine | RetriedLine | CreatedLine;

/** "1795995253.000000", "434897.000000" → epoch milliseconds; NaN when either is not a number. */
export function sippTimeMs(seconds: string, micros: string): number {
  const s = Number(seconds);
  const us = Number(micros);
  return Number.isFinite(s) && Number.isFinite(us) && seconds !== '' && micros !== '' ? s * 1000 + us / 1000 : Number.NaN;
}

const STAMP = /^sipp-ts=([0-9.]+)\/([0-9.]+)$/;

/** One log line, or undefined for anything else (SIPp's own messages, a line cut short). */
export function parseSippLogLine(line: string): SippLogLine | undefined {
  const f = line.trim().split(/\s+/);
  switch (f[0]) {
    case 'S': {
      const sentMs = sippTimeMs(f[2] ?? '', f[3] ?? '');
      const answeredMs = sippTimeMs(f[4] ?? '', f[5] ?? '');
      return f.length === 6 && Number.isFinite(sentMs) && Number.isFinite(answeredMs) ? { kind: 'subscribed', call: Number(f[1]), sentMs, answeredMs } : undefined;
    }
    case 'N': {
      const receivedMs = sippTimeMs(f[3] ?? '', f[4] ?? '');
      if ((f.length !== 5 && f.length !== 6) || !Number.isFinite(receivedMs)) return undefined;
      const stamp = f[5] === undefined ? undefined : STAMP.exec(f[5]);
      const publishedMs = stamp === undefined || stamp === null ? Number.NaN : sippTimeMs(stamp[1]!, stamp[2]!);
      return { kind: 'notify', call: Number(f[1]), presentity: f[2]!, receivedMs, ...(Number.isFinite(publishedMs) ? { publishedMs } : {}) };
    }
    case 'A': {
      const sentMs = sippTimeMs(f[2] ?? '', f[3] ?? '');
      return f.length === 5 && Number.isFinite(sentMs) ? { kind: 'accepted', presentity: f[1]!, sentMs, etag: f[4]! } : undefined;
    }
    case 'E':
      return f.length === 3 ? { kind: 'rejected', presentity: f[1]!, code: f[2]! } : undefined;
    case 'C': {
      const sentMs = sippTimeMs(f[2] ?? '', f[3] ?? '');
      const doneMs = sippTimeMs(f[4] ?? '', f[5] ?? '');
      return f.length === 6 && Number.isFinite(sentMs) && Number.isFinite(doneMs) ? { kind: 'created', call: Number(f[1]), sentMs, doneMs } : undefined;
    }
    case 'R':
      return f.length === 3 ? { kind: 'retried', call: Number(f[1]), code: f[2]! } : undefined;
    default:
      return undefined;
  }
}

/**
 * The last row of a SIPp statistics file (-trace_stat -stf F), by column
 * name: e.g. "FailedCall(C)", "Retransmissions(C)". Missing columns read 0.
 */
export function lastSippStats(csv: string): Readonly<Record<string, number>> {
  const rows = csv.split('\n').filter((row) => row.trim() !== '');
  if (rows.length < 2) return {};
  const names = rows[0]!.split(';');
  const values = rows[rows.length - 1]!.split(';');
  const stats: Record<string, number> = {};
  names.forEach((name, i) => {
    const value = Number(values[i]);
    if (name !== '' && Number.isFinite(value)) stats[name] = value;
  });
  return stats;
}

const UNEXPECTED = /while expecting '([^']*)' \(index \d+\), received '([^\r\n']*)/g;

/**
 * What SIPp's error file (-trace_err) says about calls it failed on an
 * unexpected message, counted by "expected X, got <first line>": a failure
 * the scenario did not allow for, told apart from one the server caused.
 */
export function unexpectedMessages(errorLog: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, expected, received] of errorLog.matchAll(UNEXPECTED)) {
    const key = `expected ${expected}, got ${received!.trim()}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
