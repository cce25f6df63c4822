import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ALLOW_EVERY_WATCHER_ARGS,
  binaryGate,
  Children,
  createTestUa,
  eventually,
  freePort,
  freeUdpTcpPort,
  metricValue,
  requireOrSkip,
  sharedTestCertificate,
  startPresenceProcess,
  type PresenceProcess,
  type TestUa,
} from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PRESENCE_BIN = fileURLToPath(new URL('../bin/presence.js', import.meta.url));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
/** Where Debian's baresip-core puts its modules. */
const MODULE_PATH = '/usr/lib/baresip/modules';

/**
 * A real softphone, baresip (Debian package baresip-core, 1.0.0 on Debian 12),
 * with a password: it registers and publishes its presence through digest
 * authentication to a `presence standalone` process whose user was made by
 * `presence user add`, and a watcher sees what it published. Its SIP stack
 * (libre 1.x) answers only MD5 and stops at a challenge it cannot answer, so
 * the server offers MD5 alone (--auth-algorithms MD5). Over UDP, TCP and TLS
 * (baresip trusting the test certificate through sip_cafile).
 */
describe.runIf(requireOrSkip(binaryGate('baresip', 'apt-get install baresip-core'), 'baresip tier'))('baresip with a password', () => {
  const children = new Children();
  let dir: string;
  let server: PresenceProcess;
  let sipPort: number;
  let tlsPort: number;
  const watchers: TestUa[] = [];
  const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
  const carol = (transport: string) => `sip:carol-${transport}-${process.pid}@example.com`;
  const dave = `sip:dave-${process.pid}@example.com`;

  async function presenceUser(aor: string, password: string): Promise<void> {
    const child = children.spawn(process.execPath, [PRESENCE_BIN, 'user', 'add', aor, '--data-dir', join(dir, 'data')], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv });
    child.process.stdin?.end(`${password}\n`);
    const { code } = await child.exit(15_000);
    expect(code, child.stderr()).toBe(0);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-baresip-'));
    for (const transport of TRANSPORTS) await presenceUser(carol(transport), 'carol-secret');
    await presenceUser(dave, 'dave-secret');
    sipPort = await freeUdpTcpPort();
    tlsPort = await freePort('tcp');
    const certificate = sharedTestCertificate();
    server = await startPresenceProcess(children, 'standalone', 'baresip-target', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
      '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort},tls:127.0.0.1:${tlsPort}`,
      '--tls-cert', certificate.certFile,
      '--tls-key', certificate.keyFile,
      '--domain', 'example.com',
      '--data-dir', join(dir, 'data'),
      '--auth-algorithms', 'MD5',
      '--log-level', 'warn',
    ]);
  }, 30_000);

  afterAll(async () => {
    for (const watcher of watchers) await watcher.close();
    await server?.stop();
    await children.killAll();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(TRANSPORTS)('baresip - registers and publishes with its password over %s; a watcher sees its presence', async (transport) => {
    const phoneAor = carol(transport);
    const watcher = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: sipPort }, aor: dave, credentials: { password: 'dave-secret' } });
    watchers.push(watcher);
    const { response, dialog } = await watcher.subscribe(phoneAor, { expires: 600 });
    expect(response.status).toBe(200);
    await dialog.nextNotify();

    const conf = join(dir, `baresip-${transport}`);
    await mkdir(conf, { recursive: true });
    await writeFile(
      join(conf, 'config'),
      [
        `sip_listen 127.0.0.1:${await freePort('tcp')}`,
        `sip_cafile ${sharedTestCertificate().certFile}`,
        `module_path ${MODULE_PATH}`,
        'module_app account.so',
        'module_app presence.so',
        '',
      ].join('\n'),
    );
    const port = transport === 'tls' ? tlsPort : sipPort;
    // regint/pubint: register and publish at once, then hourly.
    await writeFile(join(conf, 'accounts'), `<${phoneAor}>;auth_pass=carol-secret;outbound="sip:127.0.0.1:${port};transport=${transport}";regint=3600;pubint=3600\n`);
    const before = await server.metrics();
    const phone = children.spawn('baresip', ['-f', conf, '-s']);

    const grew = async (name: string, labels: Record<string, string>) => metricValue(await server.metrics(), name, labels) - metricValue(before, name, labels);
    try {
      await eventually(
        async () => {
          expect(await grew('presence_registrations_total', { action: 'bind' })).toBe(1);
          expect(await grew('presence_publications_total', { action: 'create' })).toBeGreaterThanOrEqual(1);
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
    } catch (error) {
      expect.unreachable(`${(error as Error).message}\n--- baresip ---\n${phone.stdout().slice(-4000)}\n${phone.stderr().slice(-2000)}`);
    }
    expect(await grew('presence_auth_successes_total', { algorithm: 'MD5' })).toBeGreaterThanOrEqual(2);
    expect(await grew('presence_auth_failures_total', { reason: 'credentials' })).toBe(0);
    expect(`${phone.stdout()}${phone.stderr()}`).toMatch(/Authorization: Digest username="carol-/);
    // baresip may publish its starting status (basic "unknown") before "open": read NOTIFYs until "open", a few at most.
    let seen = '';
    for (let n = 0; n < 4 && !seen.includes('<basic>open</basic>'); n++) seen = (await dialog.nextNotify({ timeoutMs: 10_000 })).body;
    expect(seen).toContain('<basic>open</basic>');
    phone.process.kill('SIGTERM');
  }, 60_000);
});
