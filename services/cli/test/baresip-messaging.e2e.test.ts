import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_EVERY_WATCHER_ARGS, binaryGate, type Child, Children, eventually, freePort, freeUdpTcpPort, metricValue, requireOrSkip, startPresenceProcess, type PresenceProcess } from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Where Debian's baresip-core puts its modules. */
const MODULE_PATH = '/usr/lib/baresip/modules';

/**
 * Two real softphones (baresip 1.0, Debian baresip-core) message each other
 * through a `presence standalone` process, one of them offline at first: its
 * MESSAGE is stored (202) and delivered when it registers. baresip 1.0 sends
 * a MESSAGE with the contact module's `message` command to its current
 * contact (the only one in its contacts file), driven here over the
 * ctrl_tcp module (netstring-framed JSON commands); what it receives is read
 * from its SIP trace (-s) and the server's delivery counters.
 */
describe.runIf(requireOrSkip(binaryGate('baresip', 'apt-get install baresip-core'), 'baresip tier'))('baresip instances messaging each other', () => {
  const children = new Children();
  let dir: string;
  let server: PresenceProcess;
  let sipPort: number;
  const aor = (user: string) => `sip:${user}-${process.pid}@example.com`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-baresip-im-'));
    sipPort = await freeUdpTcpPort();
    server = await startPresenceProcess(children, 'standalone', 'baresip-im-target', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
      '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
      '--domain', 'example.com',
      '--data-dir', join(dir, 'data'),
      '--auth', 'none',
      '--log-level', 'warn',
    ]);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await children.killAll();
    await rm(dir, { recursive: true, force: true });
  });

  interface Phone {
    readonly child: Child;
    /** Sends `text` to the phone's one contact. */
    message(text: string): Promise<void>;
  }

  async function startPhone(user: string, peer: string, transport: 'udp' | 'tcp'): Promise<Phone> {
    const conf = join(dir, user);
    const controlPort = await freePort('tcp');
    await mkdir(conf, { recursive: true });
    const config = [`sip_listen 127.0.0.1:${await freePort('tcp')}`, `module_path ${MODULE_PATH}`, 'module_app account.so', 'module_app menu.so', 'module_app contact.so', 'module_app ctrl_tcp.so', `ctrl_tcp_listen 127.0.0.1:${controlPort}`];
    await writeFile(join(conf, 'config'), `${config.join('\n')}\n`);
    await writeFile(join(conf, 'accounts'), `<${aor(user)}>;outbound="sip:127.0.0.1:${sipPort};transport=${transport}";regint=3600\n`);
    await writeFile(join(conf, 'contacts'), `"${peer}" <${aor(peer)}>\n`);
    const child = children.spawn('baresip', ['-f', conf, '-s']);
    await eventually(async () => expect(child.stdout()).toMatch(/200 OK .*\[1 binding\]/), { timeoutMs: 15_000, intervalMs: 100 }).catch((error: Error) =>
      expect.unreachable(`${user} did not register: ${error.message}\n${child.stdout().slice(-3000)}\n${child.stderr()}`),
    );
    return { child, message: (text) => controlCommand(controlPort, 'message', text) };
  }

  /** One ctrl_tcp command (netstring of JSON), resolved when baresip says it ran. */
  function controlCommand(port: number, command: string, params: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const json = JSON.stringify({ command, params, token: command });
      const socket = connect(port, '127.0.0.1', () => socket.write(`${Buffer.byteLength(json)}:${json},`));
      let answer = '';
      const timer = setTimeout(() => socket.destroy(new Error(`baresip ctrl_tcp ${command}: no answer within 5 s`)), 5000);
      socket.on('data', (chunk) => {
        answer += chunk.toString('utf8');
        if (!answer.endsWith(',')) return;
        clearTimeout(timer);
        socket.end();
        if (answer.includes('"ok":true')) resolve();
        else reject(new Error(`baresip ctrl_tcp ${command} failed: ${answer}`));
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** The phone's SIP trace shows `text` arriving in a MESSAGE to it and its 200 answer. */
  async function expectReceived(phone: Phone, user: string, text: string): Promise<void> {
    const arrived = new RegExp(`MESSAGE sip:${user}-${process.pid}-[^\\r\\n]*SIP/2\\.0[\\s\\S]*?\\r?\\n\\r?\\n${text}[\\s\\S]*?SIP/2\\.0 200 OK`);
    await eventually(async () => expect(phone.child.stdout()).toMatch(arrived), { timeoutMs: 10_000, intervalMs: 100 }).catch((error: Error) =>
      expect.unreachable(`${user} never answered 200 to "${text}": ${error.message}\n${phone.child.stdout().slice(-4000)}`),
    );
  }

  it.each(['udp', 'tcp'] as const)('baresip - two baresips message each other both ways over %s, one offline at first (stored, delivered on its REGISTER)', async (transport) => {
    const alice = `alice-${transport}`;
    const bob = `bob-${transport}`;
    const before = await server.metrics();
    const grew = async (name: string, labels: Record<string, string> = {}) => metricValue(await server.metrics(), name, labels) - metricValue(before, name, labels);

    const alicePhone = await startPhone(alice, bob, transport);
    await alicePhone.message('hello-bob-while-you-were-away');
    await eventually(async () => expect(await grew('presence_messages_stored_total')).toBe(1), { timeoutMs: 5000 });

    const bobPhone = await startPhone(bob, alice, transport);
    await expectReceived(bobPhone, bob, 'hello-bob-while-you-were-away');
    await bobPhone.message('hi-alice-back');
    await expectReceived(alicePhone, alice, 'hi-alice-back');
    await alicePhone.message('and-now-online');
    await expectReceived(bobPhone, bob, 'and-now-online');

    await eventually(async () => {
      expect(await grew('presence_messages_delivered_total', { path: 'offline' })).toBe(1);
      expect(await grew('presence_messages_delivered_total', { path: 'online' })).toBe(2);
    });
    expect(await grew('presence_sip_responses_total', { method: 'MESSAGE', code: '202' })).toBe(1);
    expect(await grew('presence_sip_responses_total', { method: 'MESSAGE', code: '200' })).toBe(2);
    alicePhone.child.process.kill('SIGTERM');
    bobPhone.child.process.kill('SIGTERM');
  }, 60_000);
});
