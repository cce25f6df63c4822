import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Children, createTestUa, eventually, type TestUa } from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, runPresence, startStandaloneProcess, type StartedStandalone } from './ctl-kit.js';

/**
 * `--log-level-file`: the level is read at start and again on SIGHUP
 * (`systemctl reload`, a ConfigMap change), and the process never exits on it.
 */
describe('presence standalone --log-level-file', () => {
  const children = new Children();
  let dir: string;
  let levelFile: string;
  let server: StartedStandalone;
  let alice: TestUa;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-log-level-'));
    levelFile = join(dir, 'log-level');
    await writeFile(levelFile, 'info\n');
    server = await startStandaloneProcess(children, ['--log-level-file', levelFile]);
    alice = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: server.sipPort }, aor: ALICE });
  });
  afterAll(async () => {
    await alice?.close();
    await children.killAll();
    await rm(dir, { recursive: true, force: true });
  });

  /** Sends an OPTIONS with a fresh Call-ID; true when the server logged it (only at debug). */
  async function requestLogged(label: string, expectLogged: boolean): Promise<void> {
    const callId = `${label}-${Date.now()}@test`;
    expect((await alice.request('OPTIONS', { uri: 'sip:example.com', headers: { 'Call-ID': callId } })).status).toBe(200);
    if (expectLogged) await eventually(() => expect(server.child.stderr()).toContain(callId));
    else expect(server.child.stderr()).not.toContain(callId);
  }

  it('SIGHUP - re-reads the file: debug logs every request, back to info stops it; a bad file keeps the level', async () => {
    await requestLogged('at-info', false);

    await writeFile(levelFile, 'debug\n');
    server.child.process.kill('SIGHUP');
    await eventually(() => expect(server.child.stderr()).toMatch(/"logLevel":"debug".*"msg":"reloaded"/));
    await requestLogged('at-debug', true);

    await writeFile(levelFile, 'loud\n');
    server.child.process.kill('SIGHUP');
    await eventually(() => expect(server.child.stderr()).toContain('--log-level-file'));
    expect(server.child.stderr()).toContain('expected one of');
    await requestLogged('still-debug', true);

    await writeFile(levelFile, 'info');
    server.child.process.kill('SIGHUP');
    await eventually(() => expect(server.child.stderr()).toMatch(/"logLevel":"info".*"msg":"reloaded"/));
    await requestLogged('back-at-info', false);
    expect(server.child.exited()).toBe(false);
  });

  it('start - an unreadable or wrong file is a usage error naming it (exit 2)', async () => {
    const missing = await runPresence(children, ['standalone', '--auth', 'none', '--http', 'off', '--log-level-file', join(dir, 'none')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--log-level-file ${join(dir, 'none')}`);
    const wrong = join(dir, 'wrong');
    await writeFile(wrong, 'verbose');
    const bad = await runPresence(children, ['standalone', '--auth', 'none', '--http', 'off', '--log-level-file', wrong]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected one of debug, info, warn, error, silent, got "verbose"');
  });
});
