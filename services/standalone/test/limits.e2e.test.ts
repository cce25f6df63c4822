import { fileURLToPath } from 'node:url';
import { ALLOW_EVERY_WATCHER_ARGS, Children, createTestUa, eventually, freePort, freeUdpTcpPort, httpGet, metricValue, type TestUa } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';

/** The caps of README "Limits", set small by option on a real `presence standalone` (built dist/). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';

describe('limits', () => {
  const children = new Children();
  const uas: TestUa[] = [];

  afterEach(async () => {
    for (const ua of uas.splice(0)) await ua.close();
    await children.killAll();
  });

  async function startStandalone(args: readonly string[]): Promise<{ sip: number; refusals: (limit: string) => Promise<number | undefined> }> {
    const sip = await freeUdpTcpPort();
    const http = await freePort('tcp');
    const base = `http://127.0.0.1:${http}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
    const child = children.spawn(
      process.execPath,
      [BIN, 'standalone', ...ALLOW_EVERY_WATCHER_ARGS, '--listen', `udp:127.0.0.1:${sip}`, '--http', `127.0.0.1:${http}`, '--log-level', 'warn', '--auth', 'none', ...args],
      { cwd: ROOT, env },
    );
    await eventually(
      async () => {
        expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
        expect((await httpGet(`${base}/readyz`, 1000)).status).toBe(200);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const refusals = async (limit: string) => metricValue((await httpGet(`${base}/metrics`)).body, 'presence_limit_refusals_total', { limit });
    return { sip, refusals };
  }

  async function ua(sip: number, aor: string): Promise<TestUa> {
    const created = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: sip }, aor });
    uas.push(created);
    return created;
  }

  it('limits - the contact past --max-contacts-per-aor gets 403 and changes nothing; refreshes pass; a removal makes room', async () => {
    const { sip, refusals } = await startStandalone(['--max-contacts-per-aor', '2']);
    expect(await refusals('contacts_per_aor')).toBe(0);
    const alice = await ua(sip, 'sip:alice@example.com');
    const register = (contact: string, expires = 600) => alice.request('REGISTER', { headers: { Contact: `<${contact}>` }, expires });
    expect((await register('sip:a@192.0.2.1')).status).toBe(200);
    expect((await register('sip:b@192.0.2.2')).status).toBe(200);

    const refused = await register('sip:c@192.0.2.3');
    expect([refused.status, refused.reason]).toEqual([403, 'Too many registered contacts']);
    expect(await refusals('contacts_per_aor')).toBe(1);

    const refreshed = await register('sip:a@192.0.2.1');
    expect(refreshed.status).toBe(200);
    const bound = refreshed.headerValues('contact').join(' ');
    expect(bound).toContain('sip:a@192.0.2.1');
    expect(bound).toContain('sip:b@192.0.2.2');
    expect(bound).not.toContain('sip:c@');
    // Another AOR is unaffected.
    const bob = await ua(sip, 'sip:bob@example.com');
    expect((await bob.request('REGISTER', { expires: 600 })).status).toBe(200);

    expect((await register('sip:b@192.0.2.2', 0)).status).toBe(200);
    expect((await register('sip:c@192.0.2.3')).status).toBe(200);
    expect(await refusals('contacts_per_aor')).toBe(1);
  });

  it('limits - SUBSCRIBEs past the per-watcher cap get 403, past the per-address cap 503 + Retry-After; refreshes pass; an unsubscribe makes room', async () => {
    const { sip, refusals } = await startStandalone(['--max-subscriptions-per-watcher', '2', '--max-subscriptions-per-address', '3']);
    const watcher = await ua(sip, 'sip:w@example.com');
    const first = await watcher.subscribe('sip:p1@example.com', { expires: 600 });
    expect(first.response.status).toBeLessThan(300);
    expect((await watcher.subscribe('sip:p2@example.com', { expires: 600 })).response.status).toBeLessThan(300);

    const tooMany = (await watcher.subscribe('sip:p3@example.com', { expires: 600 })).response;
    expect([tooMany.status, tooMany.reason]).toEqual([403, 'Too many subscriptions for this watcher']);
    expect(await refusals('subscriptions_per_watcher')).toBe(1);

    // Another watcher from the same address fits, until the address holds 3.
    const other = await ua(sip, 'sip:v@example.com');
    expect((await other.subscribe('sip:p3@example.com', { expires: 600 })).response.status).toBeLessThan(300);
    const flood = (await other.subscribe('sip:p4@example.com', { expires: 600 })).response;
    expect([flood.status, flood.reason]).toEqual([503, 'Too many subscriptions from this address']);
    expect(flood.header('retry-after')).toMatch(/^\d+$/);
    expect(await refusals('subscriptions_per_address')).toBe(1);

    expect((await first.dialog.refresh(600)).status).toBeLessThan(300);
    expect((await first.dialog.unsubscribe()).status).toBeLessThan(300);
    expect((await watcher.subscribe('sip:p3@example.com', { expires: 600 })).response.status).toBeLessThan(300);
    expect([await refusals('subscriptions_per_watcher'), await refusals('subscriptions_per_address')]).toEqual([1, 1]);
  });
});
