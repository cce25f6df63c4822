import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { binaryGate, Children, createTestUa, eventually, freePort, freeUdpTcpPort, metricValue, requireOrSkip, startPresenceProcess, type PresenceProcess, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf, WatcherInfoView } from '@presence/testkit/behaviour';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFaultCluster } from './cluster-faults-kit.js';
import { clusterTierAvailable } from './cluster-target.js';

const run = promisify(execFile);
const PRESENCE_BIN = fileURLToPath(new URL('../bin/presence.js', import.meta.url));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';
const PASSWORDS: Readonly<Record<string, string>> = { [ALICE]: 'alice-secret', [BOB]: 'bob-secret' };

/** A pres-rules document (RFC 5025) with one rule for `watcher`: its sub-handling, and everything shown when allowed. */
function presRules(watcher: string, subHandling: 'allow' | 'polite-block' | 'block'): string {
  const everything =
    subHandling === 'allow'
      ? '<cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-devices><pr:all-devices/></pr:provide-devices><pr:provide-all-attributes/></cr:transformations>'
      : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules"><cr:rule id="r1"><cr:conditions><cr:identity><cr:one id="${watcher}"/></cr:identity></cr:conditions><cr:actions><pr:sub-handling>${subHandling}</pr:sub-handling></cr:actions>${everything}</cr:rule></cr:ruleset>
`;
}


/** curl's PUT of a pres-rules document (`auth`: its credential options); resolves with the final HTTP status. */
async function putRules(auth: readonly string[], url: string, document: string): Promise<number> {
  const { stdout } = await run('curl', ['-s', '-g', '-o', '/dev/null', '-w', '%{http_code}', ...auth, '-X', 'PUT', '-H', 'Content-Type: application/auth-policy+xml', '--data-binary', document, url], { encoding: 'utf8' });
  return Number(stdout.trim());
}

/**
 * The scenario both deployments run: `watcher` subscribes to `presentity`
 * (published, open) and waits pending; `put` writes the presentity's
 * pres-rules over XCAP, first allowing the watcher, then blocking it. The
 * watcher's NOTIFYs and the presentity's presence.winfo follow each write.
 */
async function rulesDecideWatcher(presentity: TestUa, watcher: TestUa, put: (document: string) => Promise<number>, whilePending?: () => Promise<void>): Promise<void> {
  const winfo = new WatcherInfoView((await presentity.subscribe(presentity.aor, { event: 'presence.winfo', expires: 600 })).dialog);
  expect((await winfo.next()).entries).toEqual([]);

  const { response, dialog } = await watcher.subscribe(presentity.aor, { expires: 600 });
  expect(response.status).toBe(200);
  const pending = await dialog.nextNotify();
  expect(pending.header('subscription-state')).toMatch(/^pending;expires=\d+$/);
  expect(pending.body).toBe('');
  expect((await winfo.next()).entries).toEqual([expect.objectContaining({ uri: watcher.aor, status: 'pending', event: 'subscribe' })]);
  await whilePending?.();

  const allowedAt = Date.now();
  expect(await put(presRules(watcher.aor, 'allow'))).toBe(201);
  const active = await dialog.nextNotify({ timeoutMs: 10_000 });
  // A figure, not an assertion: the issue asks for the NOTIFY within a second.
  console.info(`xcap authz: PUT allowing -> full NOTIFY in ${Date.now() - allowedAt} ms`);
  expect(active.header('subscription-state')).toMatch(/^active;expires=\d+$/);
  expect(tuplesOf(active.body)).toEqual(['d1:open']);
  expect((await winfo.next()).entries).toEqual([expect.objectContaining({ uri: watcher.aor, status: 'active', event: 'approved' })]);

  // RFC 5025 §3.2.1 polite-block: still active, shown what an offline presentity shows (no tuple); winfo has no event for it.
  expect(await put(presRules(watcher.aor, 'polite-block'))).toBe(200);
  const neutral = await dialog.nextNotify({ timeoutMs: 10_000 });
  expect(neutral.header('subscription-state')).toMatch(/^active;expires=\d+$/);
  expect(tuplesOf(neutral.body)).toEqual([]);

  expect(await put(presRules(watcher.aor, 'block'))).toBe(200);
  const ended = await dialog.nextNotify({ timeoutMs: 10_000 });
  expect(ended.header('subscription-state')).toBe('terminated;reason=rejected');
  expect(ended.body).toBe('');
  expect((await winfo.next()).entries).toEqual([expect.objectContaining({ uri: watcher.aor, status: 'terminated', event: 'rejected' })]);
  // A terminated watcher leaves the merged list (RFC 3858 §4.4).
  expect(winfo.watchers()).toEqual([]);
  expect((await watcher.subscribe(presentity.aor, { expires: 600 })).response.status).toBe(403);
}

/**
 * Issue #12's "done when", end to end with the real XCAP server and a client
 * nobody here wrote: `presence standalone --xcap-listen` with digest users
 * and the default `--default-sub-handling confirm`. Bob's subscription to
 * alice waits pending; alice PUTs pres-rules over HTTP with curl --digest
 * allowing him: bob gets the full NOTIFY, and alice's presence.winfo
 * subscription (RFC 3857) sees him go pending -> active (approved). A PUT
 * politely blocking him shows him the offline document, one
 * blocking him ends his subscription (terminated;reason=rejected) and winfo
 * shows him rejected.
 */
// Also with the edge in two worker processes (`--workers 2`): the XCAP server, agent and store in the primary, the dialogs and their NOTIFYs in the workers.
for (const workers of [1, 2]) {
  describe.runIf(requireOrSkip(binaryGate('curl', 'apt-get install curl'), 'xcap curl tier'))(`pres-rules written over XCAP authorize watchers (standalone --xcap-listen${workers > 1 ? ` --workers ${workers}` : ''})`, () => {
    const children = new Children();
    const uas: TestUa[] = [];
    let dir: string;
    let server: PresenceProcess;
    let sip: number;
    let rulesUrl: string;

    async function addUser(aor: string): Promise<void> {
      const child = children.spawn(process.execPath, [PRESENCE_BIN, 'user', 'add', aor, '--data-dir', dir], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv });
      child.process.stdin?.end(`${PASSWORDS[aor]}\n`);
      const { code } = await child.exit(15_000);
      expect(code, child.stderr()).toBe(0);
    }

    async function ua(aor: string): Promise<TestUa> {
      const created = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: sip }, aor, credentials: { password: PASSWORDS[aor]! } });
      uas.push(created);
      return created;
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'presence-xcap-authz-'));
      sip = await freeUdpTcpPort();
      const xcap = await freePort('tcp');
      const http = await freePort('tcp');
      rulesUrl = `http://127.0.0.1:${xcap}/xcap-root/pres-rules/users/${ALICE}/index`;
      await addUser(ALICE);
      await addUser(BOB);
      server = await startPresenceProcess(children, 'standalone', 'xcap-authz', http, [
        '--listen', `udp:127.0.0.1:${sip}`, '--xcap-listen', `127.0.0.1:${xcap}`, '--data-dir', dir, '--log-level', 'warn', '--workers', String(workers),
      ]);
    }, 60_000);
    afterAll(async () => {
      for (const each of uas) await each.close();
      await server?.stop();
      await children.killAll();
      await rm(dir, { recursive: true, force: true });
    });

    it('xcap authz - pending until a PUT allows (full NOTIFY, winfo approved), then a PUT blocks (rejected in both)', { timeout: 60_000 }, async () => {
      const alice = await ua(ALICE);
      const bob = await ua(BOB);
      // The server reads users.json about once a second; they were added just before it started.
      await eventually(async () => expect((await publish(alice, ALICE, { body: pidf(ALICE, [{ id: 'd1', basic: 'open' }]), expires: 600 })).status).toBe(200));
      // The edge counts the pending dialog as pending, not active.
      const pendingCounted = async () =>
        eventually(async () => {
          const text = await server.metrics();
          expect([metricValue(text, 'presence_subscriptions', { state: 'pending' }), metricValue(text, 'presence_subscriptions', { state: 'active' })]).toEqual([1, 1]);
        });
      await rulesDecideWatcher(alice, bob, (document) => putRules(['--digest', '-u', `alice:${PASSWORDS[ALICE]}`], rulesUrl, document), pendingCounted);
    });
  });
}

/**
 * The same in a cluster: `presence xcap` on the cluster's Redis and NATS
 * (--auth none, loopback), the agents on the server default confirm, the
 * presentity on one edge and the watcher on another.
 */
describe.runIf(clusterTierAvailable() && requireOrSkip(binaryGate('curl', 'apt-get install curl'), 'xcap curl tier'))('pres-rules written over XCAP authorize watchers (cluster, xcap role)', () => {
  const ctx = useFaultCluster();
  const children = new Children();
  afterAll(async () => {
    await children.killAll();
  });

  it("xcap authz cluster - the xcap role's PUT reaches the owning agent: pending, approved, rejected", { timeout: 90_000 }, async () => {
    const { cluster } = await ctx.start({ defaultSubHandling: 'confirm' });
    // Every agent holds its share: a partition moving mid-test would start its feed in another epoch (a full winfo state, not the partial asserted).
    await cluster.settled();
    const port = await freePort('tcp');
    const xcap = await startPresenceProcess(children, 'xcap', 'xcap-authz', await freePort('tcp'), [
      '--xcap-listen', `127.0.0.1:${port}`, '--nats', cluster.nats.url, '--redis', cluster.redis.url, '--auth', 'none', '--log-level', 'warn',
    ]);
    try {
      const presentity = await ctx.ua(cluster.edges[0]!.sipPort, 'owner');
      const watcher = await ctx.ua(cluster.edges[1]!.sipPort, 'watcher');
      expect((await publish(presentity, presentity.aor, { body: pidf(presentity.aor, [{ id: 'd1', basic: 'open' }]), expires: 600 })).status).toBe(200);
      await rulesDecideWatcher(presentity, watcher, (document) => putRules([], `http://127.0.0.1:${port}/xcap-root/pres-rules/users/${presentity.aor}/index`, document));
    } finally {
      await xcap.stop();
    }
  });
});
