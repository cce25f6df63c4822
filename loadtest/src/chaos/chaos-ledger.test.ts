import { describe, expect, it } from 'vitest';
import { ChaosLedger } from './chaos-ledger.js';

describe('ChaosLedger windows', () => {
  it('puts each trouble in the window it happened in and measures degraded time from first to last degrading trouble', () => {
    const ledger = new ChaosLedger();
    ledger.mark('baseline', 0);
    ledger.mark('edge-kill', 10_000);
    ledger.mark('settle', 30_000);
    ledger.publishOk(5_000);
    ledger.trouble('publish-failed', 11_000, 503);
    ledger.trouble('publish-failed', 12_000, 503);
    ledger.trouble('subscribe-failed', 12_500, 'timeout');
    ledger.trouble('notify-delayed', 14_000);
    // Re-subscribing is the cure: it does not stretch the degraded time.
    ledger.trouble('resubscribed', 25_000);
    const [baseline, kill, settle] = ledger.windows(40_000);
    expect(baseline).toMatchObject({ name: 'baseline', publishesOk: 1, degradedSeconds: 0, recoveredAfterSeconds: 0 });
    expect(kill).toMatchObject({
      name: 'edge-kill',
      startMs: 10_000,
      endMs: 30_000,
      degradedSeconds: 3,
      recoveredAfterSeconds: 4,
      publishFailuresByCode: { '503': 2 },
      subscribeFailuresByCode: { timeout: 1 },
    });
    expect(kill!.counts).toMatchObject({ 'publish-failed': 2, 'subscribe-failed': 1, 'notify-delayed': 1, resubscribed: 1 });
    expect(settle).toMatchObject({ name: 'settle', endMs: 40_000, degradedSeconds: 0 });
  });

  it('keeps the first violations whole and counts them all', () => {
    const ledger = new ChaosLedger();
    for (let i = 0; i < 60; i++) ledger.violate('state never goes backwards', `#${i}`, i);
    expect(ledger.violationCount).toBe(60);
    expect(ledger.violations).toHaveLength(50);
    expect(ledger.violations[0]).toEqual({ atMs: 0, invariant: 'state never goes backwards', detail: '#0' });
  });
});
