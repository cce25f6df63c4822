import { createTestUa, type TestUa } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { startStandaloneTarget, type StandaloneTarget } from './standalone-target.js';

let unique = 0;
const aor = (name: string) => `sip:${name}-${process.pid}-${++unique}@${DOMAIN}`;

/** The bounds on what one presentity may hold, with the defaults the options give (16 publications, 64 KiB). */
describe('standalone publication limits', () => {
  const agents: TestUa[] = [];
  let target: StandaloneTarget | undefined;

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await target?.stop();
    target = undefined;
  });

  async function ua(name: string): Promise<TestUa> {
    target ??= await startStandaloneTarget();
    const agent = await createTestUa({ transport: 'tcp', server: { host: '127.0.0.1', port: target.port('tcp') }, aor: aor(name) });
    agents.push(agent);
    return agent;
  }

  async function documentOf(presentity: string): Promise<string> {
    const { response, dialog } = await (await ua('fetcher')).subscribe(presentity, { expires: 0 });
    expect(response.status).toBe(200);
    return (await dialog.nextNotify()).body;
  }

  it('publication limits - the 17th publication is 403 with the reason, the 16 others stay and can be modified', async () => {
    const publisher = await ua('pub');
    const etags: string[] = [];
    for (let i = 0; i < 16; i++) {
      const response = await publish(publisher, publisher.aor, { body: pidf(publisher.aor, [{ id: `t${i}`, basic: 'open' }]), expires: 600 });
      expect(response.status).toBe(200);
      etags.push(response.header('sip-etag')!);
    }
    const refused = await publish(publisher, publisher.aor, { body: pidf(publisher.aor, [{ id: 't16', basic: 'open' }]), expires: 600 });
    expect(refused.status).toBe(403);
    expect(refused.reason).toBe('Too many publications for this presentity (max 16)');

    const modified = await publish(publisher, publisher.aor, { ifMatch: etags[0], body: pidf(publisher.aor, [{ id: 't0', basic: 'closed' }]), expires: 600 });
    expect(modified.status).toBe(200);
    const tuples = tuplesOf(await documentOf(publisher.aor));
    expect(tuples).toHaveLength(16);
    expect(tuples).toContain('t0:closed');
    expect(tuples).not.toContain('t16:open');
  });

  it('publication limits - a publication growing the document past 64 KiB is 413, the earlier one stays', async () => {
    const publisher = await ua('big');
    const note = 'x'.repeat(40 * 1024); // each body under the PIDF limit, together over the document limit
    const first = await publish(publisher, publisher.aor, { body: pidf(publisher.aor, [{ id: 'a', basic: 'open', note }]), expires: 600 });
    expect(first.status).toBe(200);
    const second = await publish(publisher, publisher.aor, { body: pidf(publisher.aor, [{ id: 'b', basic: 'open', note }]), expires: 600 });
    expect(second.status).toBe(413);
    expect(second.reason).toBe('Presence document too large (max 65536 bytes)');
    expect(tuplesOf(await documentOf(publisher.aor))).toEqual(['a:open']);
  });
});
