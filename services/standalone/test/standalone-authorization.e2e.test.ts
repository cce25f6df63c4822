import { createTestUa } from '@presence/testkit';
import { authorizationSuite } from '@presence/testkit/behaviour';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizingStandaloneTarget, type StandaloneTarget } from './standalone-target.js';

authorizationSuite('standalone', 'udp', () => startAuthorizingStandaloneTarget());

describe('standalone --default-sub-handling block', () => {
  let target: StandaloneTarget;
  beforeAll(async () => {
    target = await startAuthorizingStandaloneTarget({ defaultSubHandling: 'block' });
  });
  afterAll(async () => {
    await target.stop();
  });

  it('authz - a watcher no rule covers is refused 403; the presentity may still watch itself', async () => {
    const ua = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: target.port('udp') }, aor: 'sip:bob@example.com' });
    try {
      expect((await ua.subscribe('sip:alice@example.com', { expires: 600 })).response.status).toBe(403);
      const own = await ua.subscribe(ua.aor, { expires: 600 });
      expect(own.response.status).toBe(200);
      expect((await own.dialog.nextNotify()).header('subscription-state')).toMatch(/^active/);
    } finally {
      await ua.close();
    }
  });
});
