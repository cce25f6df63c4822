import { describe, expect, it } from 'vitest';
import { readSequencedState, sequencedPidf } from './sequenced-pidf.js';

describe('sequenced PIDF', () => {
  it('reads back the sequence number and send time it wrote', () => {
    expect(readSequencedState(sequencedPidf('sip:a@x', 'c1', 7, 1700000000123.4))).toEqual({ seq: 7, sentAtMs: 1700000000123 });
  });

  it('takes the highest sequence number of a composed document with several publications', () => {
    const composed = `<presence>${sequencedPidf('sip:a@x', 'old', 3, 10)}${sequencedPidf('sip:a@x', 'new', 12, 20)}${sequencedPidf('sip:a@x', 'x', 9, 30)}</presence>`;
    expect(readSequencedState(composed)).toEqual({ seq: 12, sentAtMs: 20 });
  });

  it('reads seq 0 from a document without our notes (no publication left)', () => {
    expect(readSequencedState('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"/>')).toEqual({ seq: 0, sentAtMs: 0 });
  });
});
