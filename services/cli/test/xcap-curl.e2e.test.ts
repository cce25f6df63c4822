import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { binaryGate, Children, eventually, freePort, freeUdpTcpPort, requireOrSkip, startPresenceProcess, type PresenceProcess } from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PRESENCE_BIN = fileURLToPath(new URL('../bin/presence.js', import.meta.url));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));

interface CurlAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/**
 * The RFC 4825 examples driven by curl, a client nobody here wrote, against
 * `presence standalone --xcap-listen` with digest authentication on the SIP
 * users (made by `presence user add`): put a resource-lists document, fetch
 * an element, put an element, put an attribute, delete, a conditional PUT.
 */
describe.runIf(requireOrSkip(binaryGate('curl', 'apt-get install curl'), 'xcap curl tier'))('XCAP with curl (--digest)', () => {
  const children = new Children();
  let dir: string;
  let server: PresenceProcess;
  let base: string;

  async function curl(user: string | undefined, args: readonly string[]): Promise<CurlAnswer> {
    const auth = user === undefined ? [] : ['--digest', '-u', user];
    const { stdout } = await run('curl', ['-s', '-g', '-D', '-', ...auth, ...args], { encoding: 'utf8' });
    // With --digest curl prints the 401 round first: the answer is the last header block.
    const blocks = stdout.split(/\r\n\r\n/);
    let last = 0;
    for (let i = 0; i < blocks.length; i += 1) if (/^HTTP\/1\.1 \d{3}/.test(blocks[i]!)) last = i;
    const headers = blocks[last]!;
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)![1]), headers, body: blocks.slice(last + 1).join('\r\n\r\n') };
  }

  async function addUser(aor: string, password: string): Promise<void> {
    const child = children.spawn(process.execPath, [PRESENCE_BIN, 'user', 'add', aor, '--data-dir', dir], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv });
    child.process.stdin?.end(`${password}\n`);
    const { code } = await child.exit(15_000);
    expect(code, child.stderr()).toBe(0);
  }

  let startServer: () => Promise<PresenceProcess>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-xcap-'));
    const sip = await freeUdpTcpPort();
    const xcap = await freePort('tcp');
    const http = await freePort('tcp');
    base = `http://127.0.0.1:${xcap}/xcap-root`;
    await addUser('sip:joe@example.com', 'joe-secret');
    await addUser('sip:bob@example.com', 'bob-secret');
    startServer = () =>
      startPresenceProcess(children, 'standalone', 'xcap-curl', http, [
        '--listen', `udp:127.0.0.1:${sip},tcp:127.0.0.1:${sip}`, '--xcap-listen', `127.0.0.1:${xcap}`, '--data-dir', dir, '--log-level', 'warn',
      ]);
    server = await startServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await children.killAll();
    await rm(dir, { recursive: true, force: true });
  });

  const doc = () => `${base}/resource-lists/users/sip:joe@example.com/index`;
  const joe = 'joe:joe-secret';
  const LIST = `<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
  <list name="friends">
    <entry uri="sip:bill@example.com">
      <display-name>Bill Doe</display-name>
    </entry>
    <entry-ref ref="resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22list1%22%5d/entry%5b@uri=%22sip:petri@example.com%22%5d"/>
    <list name="close-friends">
      <display-name>Close Friends</display-name>
      <entry uri="sip:joe@example.com">
        <display-name>Joe Smith</display-name>
      </entry>
    </list>
  </list>
</resource-lists>
`;
  const friends = '~~/resource-lists/list%5B@name=%22friends%22%5D';

  it('without credentials: 401 with a Digest challenge per algorithm; a wrong password: 401 again', async () => {
    const anonymous = await curl(undefined, [doc()]);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers).toMatch(/WWW-Authenticate: Digest realm="example.com".*algorithm=SHA-256/);
    expect(anonymous.headers).toMatch(/WWW-Authenticate: Digest realm="example.com".*algorithm=MD5/);
    expect((await curl('joe:wrong', [doc()])).status).toBe(401);
  });

  it('PUT of the document (201, ETag), then GET of it', async () => {
    let created: CurlAnswer | undefined;
    // The server reloads users.json about once a second; the users were added just before it started.
    await eventually(async () => {
      created = await curl(joe, ['-X', 'PUT', '-H', 'Content-Type: application/resource-lists+xml', '--data-binary', LIST, doc()]);
      expect(created.status).toBe(201);
    });
    expect(created!.headers).toMatch(/ETag: "[^"]+"/);
    const read = await curl(joe, [doc()]);
    expect(read.status).toBe(200);
    expect(read.body).toBe(LIST);
  });

  it('fetch an element, put an element, put an attribute, delete it', async () => {
    const element = await curl(joe, [`${doc()}/${friends}/list%5B@name=%22close-friends%22%5D/entry%5B@uri=%22sip:joe@example.com%22%5D/display-name`]);
    expect(element.status).toBe(200);
    expect(element.headers).toContain('Content-Type: application/xcap-el+xml');
    expect(element.body).toBe('<display-name xmlns="urn:ietf:params:xml:ns:resource-lists">Joe Smith</display-name>');
    const entry = `${doc()}/${friends}/entry%5B@uri=%22sip:amy@example.com%22%5D`;
    const put = await curl(joe, ['-X', 'PUT', '-H', 'Content-Type: application/xcap-el+xml', '--data-binary', '<entry uri="sip:amy@example.com"><display-name>Amy</display-name></entry>', entry]);
    expect(put.status).toBe(201);
    expect((await curl(joe, [entry])).body).toContain('<display-name>Amy</display-name>');
    const attribute = await curl(joe, ['-X', 'PUT', '-H', 'Content-Type: application/xcap-att+xml', '--data-binary', 'buddies', `${doc()}/${friends}/list%5B@name=%22close-friends%22%5D/@name`]);
    expect(attribute.status).toBe(200);
    expect((await curl(joe, [`${doc()}/~~/resource-lists/list/list/@name`])).body).toBe('buddies');
    expect((await curl(joe, ['-X', 'DELETE', entry])).status).toBe(200);
    expect((await curl(joe, [entry])).status).toBe(404);
  });

  it('If-Match: the current tag passes, a stale one is 412', async () => {
    const etag = /ETag: ("[^"]+")/.exec((await curl(joe, [doc()])).headers)![1]!;
    const stale = await curl(joe, ['-X', 'PUT', '-H', 'If-Match: "0000"', '-H', 'Content-Type: application/resource-lists+xml', '--data-binary', LIST, doc()]);
    expect(stale.status).toBe(412);
    const fresh = await curl(joe, ['-X', 'PUT', '-H', `If-Match: ${etag}`, '-H', 'Content-Type: application/resource-lists+xml', '--data-binary', LIST, doc()]);
    expect(fresh.status).toBe(200);
  });

  it("another user reading joe's document: 403; a document breaking its schema: 409 with the error body", async () => {
    const intruder = await curl('bob:bob-secret', [doc()]);
    expect(intruder.status).toBe(403);
    const bobs = `${base}/resource-lists/users/sip:bob@example.com/index`;
    const broken = await curl('bob:bob-secret', ['-X', 'PUT', '-H', 'Content-Type: application/resource-lists+xml', '--data-binary', '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry/></list></resource-lists>', bobs]);
    expect(broken.status).toBe(409);
    expect(broken.headers).toContain('Content-Type: application/xcap-error+xml');
    expect(broken.body).toContain('<schema-validation-error');
    const caps = await curl(undefined, [`${base}/xcap-caps/global/index`]);
    expect(caps.status).toBe(200);
    expect(caps.body).toContain('<auid>pres-rules</auid>');
  });

  it('documents are durable: after a SIGTERM and a restart on the same --data-dir, the same document with the same ETag', async () => {
    const before = await curl(joe, [doc()]);
    expect(before.status).toBe(200);
    expect(await server.stop()).toBe(0);
    server = await startServer();
    // curl answers the restarted server's challenge afresh; the document must come back as it was.
    const after = await curl(joe, [doc()]);
    expect(after.status).toBe(200);
    expect(after.body).toBe(before.body);
    expect(/ETag: ("[^"]+")/.exec(after.headers)![1]).toBe(/ETag: ("[^"]+")/.exec(before.headers)![1]);
  }, 60_000);
});
