import type { TransportName } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import { sleep } from '@presence/dev-tools';
import { DOMAIN, pidf, publish, tuplesOf, useSuiteContext, type PresenceTarget } from './harness.js';

/** A target whose presentities' pres-rules a test can write (through the store) and announce (on the bus), as the XCAP server does. */
export interface AuthorizingTarget extends PresenceTarget {
  writePresRules(owner: string, document: string): Promise<void>;
}

/** One pres-rules rule: identity (`one` ids, or `many` in a domain), sub-handling and the transformations given as XML. */
function rule(id: string, identity: string, subHandling: string, transformations = ''): string {
  return `<cr:rule id="${id}"><cr:conditions><cr:identity>${identity}</cr:identity></cr:conditions><cr:actions><pr:sub-handling>${subHandling}</pr:sub-handling></cr:actions>${transformations}</cr:rule>`;
}
const one = (aor: string) => `<cr:one id="${aor}"/>`;
const ruleset = (...rules: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">${rules.join('')}</cr:ruleset>`;
const EVERYTHING =
  '<cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-devices><pr:all-devices/></pr:provide-devices><pr:provide-all-attributes/></cr:transformations>';
const BUSINESS_SERVICES =
  '<cr:transformations><pr:provide-services><pr:class>business</pr:class></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-all-attributes/></cr:transformations>';

/** Two tuples, of RPID classes (RFC 4480 §3.2) business and home. */
function classedPidf(entity: string): string {
  const tuple = (id: string, cls: string) => `<tuple id="${id}"><status><basic>open</basic></status><rpid:class>${cls}</rpid:class></tuple>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}">${tuple('work', 'business')}${tuple('home', 'home')}</presence>`;
}

/** A tuple and a person stating the sphere it is in (RFC 4480 §3.7). */
function spherePidf(entity: string, sphere: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}"><tuple id="d1"><status><basic>open</basic></status></tuple><dm:person id="p1"><rpid:sphere><rpid:${sphere}/></rpid:sphere></dm:person></presence>`;
}

/**
 * Issue #12 end to end over real sockets: subscriptions authorized by the
 * presentity's pres-rules. The target runs with the default
 * `--default-sub-handling confirm`.
 */
export function authorizationSuite(name: string, transport: TransportName, start: () => Promise<AuthorizingTarget>): void {
  describe(`${name} over ${transport}: pres-rules authorization`, () => {
    const ctx = useSuiteContext(transport, start);
    const rules = () => ctx.target() as AuthorizingTarget;

    it('authz - no rule: pending (NOTIFY without body), nothing of the presence shown; a rule allowing it: a full NOTIFY at once', async () => {
      const presentity = await ctx.ua('presentity');
      await publish(presentity, presentity.aor, { body: pidf(presentity.aor, [{ id: 'd1', basic: 'open' }]), expires: 600 });
      const watcher = await ctx.ua('watcher');
      const { response, dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      expect(response.status).toBe(200);
      const pending = await dialog.nextNotify();
      expect(pending.header('subscription-state')).toMatch(/^pending;expires=\d+$/);
      expect(pending.body).toBe('');
      expect(pending.header('content-type')).toBeUndefined();
      await rules().writePresRules(presentity.aor, ruleset(rule('friends', `<cr:many domain="${DOMAIN}"/>`, 'allow', EVERYTHING)));
      const active = await dialog.nextNotify({ timeoutMs: 10_000 });
      expect(active.header('subscription-state')).toMatch(/^active;expires=\d+$/);
      expect(tuplesOf(active.body)).toEqual(['d1:open']);
    });

    it('authz - sphere (RFC 4745 §7.2): a watcher allowed only in sphere work is pending while the presentity is home, active with a full NOTIFY once it publishes work', async () => {
      const presentity = await ctx.ua('presentity');
      const colleague = await ctx.ua('colleague');
      const atWork = `<cr:rule id="at-work"><cr:conditions><cr:identity>${one(colleague.aor)}</cr:identity><cr:sphere value="work"/></cr:conditions><cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions>${EVERYTHING}</cr:rule>`;
      await rules().writePresRules(presentity.aor, ruleset(atWork));
      const published = await publish(presentity, presentity.aor, { body: spherePidf(presentity.aor, 'home'), expires: 600 });
      expect(published.status).toBe(200);
      const { dialog } = await colleague.subscribe(presentity.aor, { expires: 600 });
      const pending = await dialog.nextNotify();
      expect(pending.header('subscription-state')).toMatch(/^pending/);
      expect(pending.body).toBe('');
      expect((await publish(presentity, presentity.aor, { body: spherePidf(presentity.aor, 'work'), ifMatch: published.header('sip-etag')!, expires: 600 })).status).toBe(200);
      const active = await dialog.nextNotify({ timeoutMs: 10_000 });
      expect(active.header('subscription-state')).toMatch(/^active;expires=\d+$/);
      expect(tuplesOf(active.body)).toEqual(['d1:open']);
      expect(active.body).toContain('work');
    });

    it('authz - block: a new SUBSCRIBE gets 403; a live subscription ends with terminated;reason=rejected', async () => {
      const presentity = await ctx.ua('presentity');
      const blocked = await ctx.ua('blocked');
      const watcher = await ctx.ua('watcher');
      await rules().writePresRules(presentity.aor, ruleset(rule('no', one(blocked.aor), 'block'), rule('yes', one(watcher.aor), 'allow', EVERYTHING)));
      expect((await blocked.subscribe(presentity.aor, { expires: 600 })).response.status).toBe(403);
      const { dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
      expect((await dialog.nextNotify()).header('subscription-state')).toMatch(/^active/);
      await rules().writePresRules(presentity.aor, ruleset(rule('no', one(watcher.aor), 'block')));
      const ended = await dialog.nextNotify({ timeoutMs: 10_000 });
      expect(ended.header('subscription-state')).toBe('terminated;reason=rejected');
      expect(ended.body).toBe('');
    });

    it('authz - polite-block: active, shown byte for byte what an offline presentity shows, and no NOTIFY when it changes', async () => {
      const presentity = await ctx.ua('presentity');
      const friend = await ctx.ua('friend');
      const stranger = await ctx.ua('stranger');
      await rules().writePresRules(presentity.aor, ruleset(rule('friend', one(friend.aor), 'allow', EVERYTHING), rule('quiet', one(stranger.aor), 'polite-block')));
      const friendly = (await friend.subscribe(presentity.aor, { expires: 600 })).dialog;
      const offline = await friendly.nextNotify();
      expect(tuplesOf(offline.body)).toEqual([]);
      await publish(presentity, presentity.aor, { body: pidf(presentity.aor, [{ id: 'd1', basic: 'open' }]), expires: 600 });
      expect(tuplesOf((await friendly.nextNotify()).body)).toEqual(['d1:open']);
      const quiet = (await stranger.subscribe(presentity.aor, { expires: 600 })).dialog;
      const shown = await quiet.nextNotify();
      expect(shown.header('subscription-state')).toMatch(/^active/);
      expect(shown.body).toBe(offline.body);
      await publish(presentity, presentity.aor, { body: pidf(presentity.aor, [{ id: 'd1', basic: 'closed' }]), expires: 600 });
      expect(tuplesOf((await friendly.nextNotify()).body)).toEqual(['d1:closed']);
      await sleep(300);
      expect(quiet.notifies).toHaveLength(1);
    });

    it('authz - transformations: provide-services by class shows the business tuple only; the presentity itself sees everything', async () => {
      const presentity = await ctx.ua('presentity');
      const colleague = await ctx.ua('colleague');
      await rules().writePresRules(presentity.aor, ruleset(rule('work', one(colleague.aor), 'allow', BUSINESS_SERVICES)));
      await publish(presentity, presentity.aor, { body: classedPidf(presentity.aor), expires: 600 });
      const { dialog } = await colleague.subscribe(presentity.aor, { expires: 600 });
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['work:open']);
      const own = (await presentity.subscribe(presentity.aor, { expires: 600 })).dialog;
      expect(tuplesOf((await own.nextNotify()).body)).toEqual(['work:open', 'home:open']);
    });
  });
}
