import { Children, createTestUa, eventually, freePort, freeUdpTcpPort, metricValue, startPresenceProcess, type PresenceProcess, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import type { IncomingRequest } from '@presence/sip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entries, LIST_HEADERS, parseListNotify, resourceLists, type ParsedList } from './rls-kit.js';

const HOME = 'a.example';
const ALICE = `sip:alice@${HOME}`;
/** Server B serves the domain 127.0.0.1: a member URI naming its host and port routes there without DNS (RFC 3263 basics). */
const FOREIGN_DOMAIN = '127.0.0.1';

// With --workers 2 on server A the back-end dialog's Call-ID is drawn so that server B's NOTIFYs reach the worker holding it.
describe.each([[[] as string[]], [['--workers', '2']]])('resource list members in another domain (--rls-foreign-members subscribe): a back-end SUBSCRIBE from server A (%j) to server B', (workers) => {
  const children = new Children();
  const uas: TestUa[] = [];
  let serverA: PresenceProcess;
  let serverB: PresenceProcess;
  let sipA: number;
  let sipB: number;

  beforeAll(async () => {
    [sipA, sipB] = [await freeUdpTcpPort(), await freeUdpTcpPort()];
    const common = ['--auth', 'none', '--default-sub-handling', 'allow', '--log-level', 'warn'];
    serverA = await startPresenceProcess(children, 'standalone', 'rls-a', await freePort('tcp'), [
      '--listen', `udp:127.0.0.1:${sipA},tcp:127.0.0.1:${sipA}`, '--domain', HOME, '--rls-foreign-members', 'subscribe', ...workers, ...common,
    ]);
    serverB = await startPresenceProcess(children, 'standalone', 'rls-b', await freePort('tcp'), ['--listen', `udp:127.0.0.1:${sipB},tcp:127.0.0.1:${sipB}`, '--domain', FOREIGN_DOMAIN, ...common]);
  }, 60_000);
  afterAll(async () => {
    for (const each of uas) await each.close();
    await serverA?.stop();
    await serverB?.stop();
    await children.killAll();
  });

  async function ua(aor: string, port: number): Promise<TestUa> {
    const created = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port }, aor, maxMessageBytes: 64 * 1024 });
    uas.push(created);
    return created;
  }

  /** Reads list NOTIFYs until one shows `uri` as `wanted` says (each NOTIFY waited for with the UA's bound, no timing asserted). */
  async function until(dialog: { nextNotify(o?: { timeoutMs?: number }): Promise<IncomingRequest> }, uri: string, wanted: (r: ParsedList['resources'] extends Map<string, infer V> ? V : never) => boolean): Promise<ParsedList> {
    for (let i = 0; i < 10; i++) {
      const list = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
      const resource = list.resources.get(uri);
      if (resource !== undefined && wanted(resource)) return list;
    }
    throw new Error(`no list NOTIFY showed ${uri} as wanted`);
  }

  it("rls foreign - the member's PUBLISH on server B appears in the list NOTIFY from server A; unsubscribing ends the back-end subscription", { timeout: 60_000 }, async () => {
    const bobUri = `sip:bob@${FOREIGN_DOMAIN}:${sipB}`;
    const bob = await ua(`sip:bob@${FOREIGN_DOMAIN}`, sipB);
    expect((await publish(bob, `sip:bob@${FOREIGN_DOMAIN}`, { body: pidf(`sip:bob@${FOREIGN_DOMAIN}`, [{ id: 'b1', basic: 'open' }]), expires: 600 })).status).toBe(200);
    const alice = await ua(ALICE, sipA);
    const { response, dialog } = await alice.subscribe(`sip:adhoc@${HOME}`, {
      expires: 600,
      body: resourceLists(`<list>${entries([`sip:carol@${HOME}`, bobUri, 'sip:nobody@unreachable.invalid'])}</list>`),
      headers: { ...LIST_HEADERS, Require: 'recipient-list-subscribe', 'Content-Type': 'application/resource-lists+xml', 'Content-Disposition': 'recipient-list' },
    });
    expect(response.status).toBe(200);
    // Server B's first NOTIFY of the back-end dialog: bob active with his document.
    const first = await until(dialog, bobUri, (r) => r.state === 'active' && r.pidf !== undefined);
    expect(tuplesOf(first.resources.get(bobUri)!.pidf!)).toEqual(['b1:open']);
    expect(metricValue(await serverB.metrics(), 'presence_subscriptions', { state: 'active' })).toBe(1);

    expect((await publish(bob, `sip:bob@${FOREIGN_DOMAIN}`, { body: pidf(`sip:bob@${FOREIGN_DOMAIN}`, [{ id: 'b2', basic: 'closed' }]), expires: 600 })).status).toBe(200);
    const changed = await until(dialog, bobUri, (r) => r.pidf !== undefined && tuplesOf(r.pidf).includes('b2:closed'));
    expect(changed.fullState).toBe(false);
    expect([...changed.resources.keys()]).toEqual([bobUri]);

    // A NOTIFY for a dialog server A does not hold is 481.
    const stray = await alice.request('NOTIFY', { uri: `sip:127.0.0.1:${sipA}`, headers: { Event: 'presence', 'Subscription-State': 'active;expires=60', To: `<${ALICE}>;tag=nosuch` } });
    expect(stray.status).toBe(481);

    expect((await dialog.unsubscribe()).status).toBe(200);
    // The final NOTIFY's full state: bob as server B last said (both his publications composed); a member whose server has not answered yet is pending.
    let last: ParsedList;
    do last = await parseListNotify(await dialog.nextNotify({ timeoutMs: 10_000 }));
    while (!last.fullState);
    expect(tuplesOf(last.resources.get(bobUri)!.pidf!)).toEqual(['b1:open', 'b2:closed']);
    expect(last.resources.get('sip:nobody@unreachable.invalid')).toEqual({ state: 'pending' });
    await eventually(async () => expect(metricValue(await serverB.metrics(), 'presence_subscriptions', { state: 'active' })).toBe(0));
  });
});
