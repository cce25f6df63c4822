import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ha1ForAll } from '@presence/auth';
import { LocalBus } from '@presence/bus';
import { createSubjects } from '@presence/contracts';
import { systemClock, type Store } from '@presence/core';
import { silentLogger } from '@presence/runtime';
import { createMemoryStore } from '@presence/store';
import { binaryGate, requireOrSkip, sharedTestCertificate } from '@presence/testkit';
import { createXcapServer, DigestAccess, type XcapServer } from '@presence/xcap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LIST = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="l"/></resource-lists>';

/** Status of one curl request (-k: the test certificate is self-signed). */
async function curlStatus(args: readonly string[]): Promise<number> {
  const { stdout } = await run('curl', ['-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', ...args], { encoding: 'utf8' });
  return Number(stdout);
}

/** Basic only over TLS (RFC 7617 sends the password in clear), Digest over both, on the SIP users. */
describe.runIf(requireOrSkip(binaryGate('curl', 'apt-get install curl'), 'xcap auth tier'))('XCAP authentication over HTTPS and HTTP', () => {
  let store: Store;
  let bus: LocalBus;
  const servers: XcapServer[] = [];
  let https: string;
  let http: string;

  beforeAll(async () => {
    store = await createMemoryStore({ clock: systemClock });
    await store.putUser({ aor: 'sip:carol@example.com', username: 'carol', realm: 'example.com', ha1: ha1ForAll('carol', 'example.com', 'carol-pw'), enabled: true });
    bus = new LocalBus({ logger: silentLogger });
    const access = new DigestAccess({ realms: new Map(), algorithms: ['SHA-256', 'MD5'], nonceLifetimeMs: 300_000, lockout: { maxFailures: 10, lockoutMs: 60_000 } }, store, systemClock);
    const common = { port: 0, host: '127.0.0.1', store, bus, subjects: createSubjects(), clock: systemClock, logger: silentLogger, authenticator: access };
    const certificate = sharedTestCertificate();
    const secure = await createXcapServer({ ...common, tls: { cert: certificate.cert, key: certificate.key } });
    const plain = await createXcapServer(common);
    servers.push(secure, plain);
    https = `https://127.0.0.1:${(await secure.start()).port}/xcap-root/resource-lists/users/sip:carol@example.com/index`;
    http = `http://127.0.0.1:${(await plain.start()).port}/xcap-root/resource-lists/users/sip:carol@example.com/index`;
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await bus.close();
    await store.close();
  });

  const putArgs = ['-X', 'PUT', '-H', 'Content-Type: application/resource-lists+xml', '--data-binary', LIST];

  it('Basic over HTTPS with the right password passes; a wrong one is 401', async () => {
    expect(await curlStatus(['--basic', '-u', 'carol:carol-pw', ...putArgs, https])).toBe(201);
    expect(await curlStatus(['--basic', '-u', 'carol:nope', https])).toBe(401);
  });

  it('Basic over plain HTTP is refused (403) even with the right password; Digest works there', async () => {
    expect(await curlStatus(['--basic', '-u', 'carol:carol-pw', http])).toBe(403);
    expect(await curlStatus(['--digest', '-u', 'carol:carol-pw', http])).toBe(200);
    expect(await curlStatus(['--digest', '-u', 'carol:carol-pw', https])).toBe(200);
  });
});
