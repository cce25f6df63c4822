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
});
