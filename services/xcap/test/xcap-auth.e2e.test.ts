import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { promisify } from 'node:util';
import { digestHash, ha1, ha1ForAll } from '@presence/auth';
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
  let plainPort: number;

  beforeAll(async () => {
    store = await createMemoryStore({ clock: systemClock });
    await store.putUser({ aor: 'sip:carol@example.com', username: 'carol', realm: 'example.com', ha1: ha1ForAll('carol', 'example.com', 'carol-pw'), enabled: true });
    bus = new LocalBus({ logger: silentLogger });
    const access = new DigestAccess({ realms: new Map(), algorithms: ['SHA-256', 'MD5'], nonceLifetimeMs: 300_000, lockout: { maxFailures: 10, lockoutMs: 60_000 } }, store, systemClock, { globalDomain: 'example.com' });
    const common = { port: 0, host: '127.0.0.1', store, bus, subjects: createSubjects(), clock: systemClock, logger: silentLogger, authenticator: access };
    const certificate = sharedTestCertificate();
    const secure = await createXcapServer({ ...common, tls: { cert: certificate.cert, key: certificate.key } });
    const plain = await createXcapServer(common);
    servers.push(secure, plain);
    https = `https://127.0.0.1:${(await secure.start()).port}/xcap-root/resource-lists/users/sip:carol@example.com/index`;
    plainPort = (await plain.start()).port;
    http = `http://127.0.0.1:${plainPort}/xcap-root/resource-lists/users/sip:carol@example.com/index`;
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

  it('the global tree is read by authenticated users only (401 without credentials), xcap-caps by anyone', async () => {
    const root = `http://127.0.0.1:${plainPort}/xcap-root`;
    expect(await curlStatus([`${root}/resource-lists/global/index`])).toBe(401);
    expect(await curlStatus(['--digest', '-u', 'carol:nope', `${root}/resource-lists/global/index`])).toBe(401);
    expect(await curlStatus(['--digest', '-u', 'carol:carol-pw', `${root}/resource-lists/global/index`])).toBe(404);
    expect(await curlStatus([`${root}/xcap-caps/global/index`])).toBe(200);
  });

  it('Digest uri (RFC 7616 §3.4.6): absolute-form and other percent-encodings of the request-target pass, another resource is 400', async () => {
    const path = '/xcap-root/resource-lists/users/sip%3Acarol@example.com/index';
    const challenge = (await rawGet(path)).headers['www-authenticate'];
    const first = (Array.isArray(challenge) ? challenge : [challenge ?? ''])[0]!;
    const nonce = /nonce="([^"]+)"/.exec(first)![1]!;
    const opaque = /opaque="([^"]+)"/.exec(first)![1]!;
    let nc = 0;
    const authorization = (uri: string): string => {
      nc += 1;
      const count = nc.toString(16).padStart(8, '0');
      const cnonce = randomBytes(8).toString('hex');
      const a1 = ha1('SHA-256', 'carol', 'example.com', 'carol-pw');
      const response = digestHash('SHA-256', `${a1}:${nonce}:${count}:${cnonce}:auth:${digestHash('SHA-256', `GET:${uri}`)}`);
      return `Digest username="carol", realm="example.com", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=SHA-256, qop=auth, nc=${count}, cnonce="${cnonce}", opaque="${opaque}"`;
    };
    expect((await rawGet(path, authorization(path))).status).toBe(200);
    expect((await rawGet(path, authorization(`http://127.0.0.1:${plainPort}${path}`))).status).toBe(200);
    expect((await rawGet(path, authorization(path.replace('%3A', '%3a').replace('index', '%69ndex')))).status).toBe(200);
    const elsewhere = await rawGet(path, authorization(path.replace('carol', 'dave')));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.reason).toMatch(/uri/);
    expect((await rawGet(path, authorization(`http://elsewhere.example.com${path}`))).status).toBe(400);
  });

  /** One GET with the request-target exactly as given (fetch and curl would normalize it). */
  function rawGet(target: string, authorization?: string): Promise<{ status: number; reason: string; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: plainPort, path: target, headers: authorization === undefined ? {} : { Authorization: authorization } }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, reason: response.statusMessage ?? '', headers: response.headers }));
      });
      request.on('error', reject);
      request.end();
    });
  }
});
