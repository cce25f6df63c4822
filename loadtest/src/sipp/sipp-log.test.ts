import { describe, expect, it } from 'vitest';
import { lastSippStats, parseSippLogLine, sippTimeMs, unexpectedMessages } from './sipp-log.js';

describe('SIPp scenario log lines', () => {
  it('reads SIPp six-decimal times as epoch milliseconds', () => {
    expect(sippTimeMs('1795995253.000000', '434897.000000')).toBeCloseTo(1795995253434.897, 3);
    expect(sippTimeMs('', '1.000000')).toBeNaN();
  });

  it('parses a subscription, a stamped NOTIFY and an initial one without a stamp', () => {
    expect(parseSippLogLine('S 3 1795995252.000000 786007.000000 1795995252.000000 787354.000000')).toEqual({
      kind: 'subscribed', call: 3, sentMs: 1795995252786.007, answeredMs: 1795995252787.354,
    });
    const stamped = parseSippLogLine('N 1 p1 1795995253.000000 436895.000000 sipp-ts=1795995253.000000/434897.000000');
    expect(stamped).toMatchObject({ kind: 'notify', call: 1, presentity: 'p1', receivedMs: 1795995253436.895 });
    expect(stamped?.kind === 'notify' ? stamped.publishedMs : undefined).toBeCloseTo(1795995253434.897, 3);
    expect(parseSippLogLine('N 2 p1 1795995252.000000 780436.000000 ')).toEqual({ kind: 'notify', call: 2, presentity: 'p1', receivedMs: 1795995252780.436 });
  });

  it('parses publisher answers and ignores anything else', () => {
    expect(parseSippLogLine('A p2 1795995264.000000 3032.000000 a.1795995261.6734.4.3')).toEqual({
      kind: 'accepted', presentity: 'p2', sentMs: 1795995264003.032, etag: 'a.1795995261.6734.4.3',
    });
    expect(parseSippLogLine('E p2 412')).toEqual({ kind: 'rejected', presentity: 'p2', code: '412' });
    expect(parseSippLogLine('R 7 503')).toEqual({ kind: 'retried', call: 7, code: '503' });
    expect(parseSippLogLine('2026-11-29 23:29:27.472175 Variable $all is referenced 1 times!')).toBeUndefined();
    expect(parseSippLogLine('N 1 p1 17959952')).toBeUndefined();
  });

  it('parses a completed new publication or dialog setup, and nothing cut short', () => {
    expect(parseSippLogLine('C 12 1795995252.000000 786007.000000 1795995252.000000 790007.000000')).toEqual({
      kind: 'created', call: 12, sentMs: 1795995252786.007, doneMs: 1795995252790.007,
    });
    expect(parseSippLogLine('C 12 1795995252.000000 786007.000000 1795995252.000000')).toBeUndefined();
    expect(parseSippLogLine('E 12 503')).toEqual({ kind: 'rejected', presentity: '12', code: '503' });
  });

  it('reads the last row of a statistics file by column name', () => {
    const csv = 'StartTime;FailedCall(C);Retransmissions(C);\n2026;0;0;\n2026;2;7;\n';
    expect(lastSippStats(csv)).toMatchObject({ 'FailedCall(C)': 2, 'Retransmissions(C)': 7 });
    expect(lastSippStats('')).toEqual({});
  });

  it('counts the unexpected messages SIPp failed calls on, by what it expected and the first line it got', () => {
    const log = [
      "2026-11-30\t08:05:29.343589\t1796025929.343589: Aborting call on unexpected message for Call-Id '7-1@127.0.0.1': while expecting 'NOTIFY' (index 5), received 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5071\r\n'",
      "2026-11-30\t08:05:29.343600\t1796025929.343600: Aborting call on unexpected message for Call-Id '8-1@127.0.0.1': while expecting 'NOTIFY' (index 5), received 'SIP/2.0 200 OK\r\n'",
      "2026-11-30\t08:05:30.000000\t1796025930.000000: Aborting call on unexpected message for Call-Id '9-1@127.0.0.1': while expecting '200' (index 3), received 'SIP/2.0 500 Server Internal Error\n'",
      'Some other SIPp warning',
    ].join('\n');
    expect(unexpectedMessages(log)).toEqual({ 'expected NOTIFY, got SIP/2.0 200 OK': 2, 'expected 200, got SIP/2.0 500 Server Internal Error': 1 });
    expect(unexpectedMessages('')).toEqual({});
  });
});
