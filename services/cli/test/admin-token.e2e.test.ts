import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Children, httpGet } from '@presence/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runPresence, startStandaloneProcess } from './ctl-kit.js';

/**
 * Who may use the admin API, through the real `presence ctl`: on a loopback
 * --http nobody needs a token unless one is configured; on any other bind
 * (here the wildcard 0.0.0.0, reached over 127.0.0.1) it is off without a
 * token and needs the right one with it.
 */
describe('admin API access', () => {
  const children = new Children();
  let dir: string;
  let tokenFile: string;
  let wrongFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presence-token-'));
    tokenFile = join(dir, 'admin.token');
    wrongFile = join(dir, 'wrong.token');
    await writeFile(tokenFile, 'c0rrect-t0ken-4f2a\n', { mode: 0o600 });
    await writeFile(wrongFile, 'not-the-token\n');
  });

  afterEach(() => children.killAll());
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const ctl = (url: string, ...extra: string[]) => runPresence(children, ['ctl', 'log-level', '--url', url, ...extra]);

  it('token - loopback without a configured token: no token needed', async () => {
    const server = await startStandaloneProcess(children);
    const ran = await ctl(server.url);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ level: 'warn' });
  });

  it('token - non-loopback without a token: the admin API is off, 403 saying why; probes still answer', async () => {
    const server = await startStandaloneProcess(children, [], '0.0.0.0');
    const ran = await ctl(server.url);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^presence ctl: 403 admin API disabled: --http binds 0\.0\.0\.0, not a loopback address, and no --admin-token-file is configured/);
    const given = await ctl(server.url, '--token', 'anything');
    expect(given.code).toBe(1);
    expect(given.stderr).toContain('403');
    expect((await httpGet(`${server.url}/healthz`)).status).toBe(200);
  });

  it('token - non-loopback with a token: none or a wrong one is 401, the right one (file or flag) passes', async () => {
    const server = await startStandaloneProcess(children, ['--admin-token-file', tokenFile], '0.0.0.0');
    const none = await ctl(server.url);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^presence ctl: 401 admin API: a bearer token is required/);
    const wrong = await ctl(server.url, '--token-file', wrongFile);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^presence ctl: 401 admin API: wrong bearer token/);
    const right = await ctl(server.url, '--token-file', tokenFile);
    expect(right.code, right.stderr).toBe(0);
    expect(JSON.parse(right.stdout)).toEqual({ level: 'warn' });
    const flag = await ctl(server.url, '--token', 'c0rrect-t0ken-4f2a');
    expect(flag.code, flag.stderr).toBe(0);
  });

  it('token - loopback with a configured token: it is required there too', async () => {
    const server = await startStandaloneProcess(children, ['--admin-token-file', tokenFile]);
    expect((await ctl(server.url)).stderr).toMatch(/^presence ctl: 401 /);
    expect((await ctl(server.url, '--token-file', tokenFile)).code).toBe(0);
  });

  it('token - an empty or missing token file stops the start with a usage error (exit 2)', async () => {
    const empty = join(dir, 'empty.token');
    await writeFile(empty, '  \n');
    for (const [file, reason] of [[empty, 'is empty'], [join(dir, 'missing.token'), 'cannot read']] as const) {
      const ran = await runPresence(children, ['standalone', '--listen', 'udp:127.0.0.1:0', '--http', 'off', '--admin-token-file', file]);
      expect(ran.code, ran.stderr).toBe(2);
      expect(ran.stderr).toContain('--admin-token-file');
      expect(ran.stderr).toContain(reason);
    }
  });
});
