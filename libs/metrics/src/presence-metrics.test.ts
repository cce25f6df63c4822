import { describe, expect, it } from 'vitest';
import { createPresenceMetrics } from './presence-metrics.js';

describe('metrics catalogue', () => {
  it('metrics - instances are independent and render Prometheus text with the prefix', async () => {
    const a = createPresenceMetrics({ processMetrics: false });
    const b = createPresenceMetrics({ processMetrics: false });
    a.sipRequests.inc({ method: 'PUBLISH' });
    const text = await a.render();
    expect(text).toContain('presence_sip_requests_total{method="PUBLISH"} 1');
    expect(await b.render()).not.toContain('method="PUBLISH"');
  });

  it('metrics - the auth counters show every label value at 0 from the start', async () => {
    const text = await createPresenceMetrics({ processMetrics: false }).render();
    for (const reason of ['missing', 'foreign_nonce', 'rejected', 'stale']) expect(text).toContain(`presence_auth_challenges_total{reason="${reason}"} 0`);
    for (const algorithm of ['SHA-256', 'MD5']) expect(text).toContain(`presence_auth_successes_total{algorithm="${algorithm}"} 0`);
    for (const reason of ['credentials', 'malformed', 'identity']) expect(text).toContain(`presence_auth_failures_total{reason="${reason}"} 0`);
    for (const scope of ['source', 'user']) expect(text).toContain(`presence_auth_lockouts_total{scope="${scope}"} 0`);
  });
});
