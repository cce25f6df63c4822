import { describe, expect, it } from 'vitest';
import { describeFailures, FailureTally } from './failure-tally.js';

describe('failure tally', () => {
  it('failure tally - counts each status with its reason and Retry-After apart from timeouts, most frequent first', () => {
    const tally = new FailureTally();
    tally.add('no answer in 5 s');
    for (let n = 0; n < 3; n++) tally.answer({ status: 503, reason: 'Service Unavailable', retryAfter: '5' });
    tally.answer({ status: 480, reason: 'Temporarily Unavailable' });
    expect(tally.total).toBe(5);
    expect(tally.toRecord()).toEqual({ '503 Service Unavailable (Retry-After 5)': 3, 'no answer in 5 s': 1, '480 Temporarily Unavailable': 1 });
    expect(describeFailures(tally.toRecord())).toBe('503 Service Unavailable (Retry-After 5) ×3, no answer in 5 s ×1, 480 Temporarily Unavailable ×1');
  });

  it('failure tally - keeps a bounded number of kinds and counts the rest as other, losing no failure', () => {
    const tally = new FailureTally();
    for (let status = 400; status < 440; status++) tally.answer({ status, reason: 'X' });
    tally.add('nothing', 0);
    const record = tally.toRecord();
    expect(Object.keys(record)).toHaveLength(17);
    expect(record.other).toBe(24);
    expect(tally.total).toBe(40);
  });
});
