import { fileURLToPath } from 'node:url';
import { type Child, Children, eventually, freePort, freeUdpTcpPort, httpGet } from '@presence/testkit';
import { expect } from 'vitest';

/** The real `presence` command (built dist/: run `npx tsc -b` first), as an operator runs it. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = 'services/cli/bin/presence.js';

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without PRESENCE_* variables of whoever runs the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));
}

export function spawnPresence(children: Children, args: readonly string[]): Child {
  return children.spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv() });
}

/** Runs `presence ARGS` to its end (bounded). */
export async function runPresence(children: Children, args: readonly string[]): Promise<Ran> {
  const child = spawnPresence(children, args);
  const { code } = await child.exit(20_000);
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** `presence ctl ARGS --url URL`, expecting success: the parsed JSON it printed. */
export async function ctlJson(children: Children, url: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const ran = await runPresence(children, ['ctl', ...args, '--url', url]);
  expect(ran.code, `presence ctl ${args.join(' ')}: ${ran.stderr}`).toBe(0);
  return JSON.parse(ran.stdout) as Record<string, unknown>;
}

export interface StartedStandalone {
  readonly child: Child;
  readonly sipPort: number;
  readonly httpPort: number;
  /** http://127.0.0.1:PORT whatever --http binds. */
  readonly url: string;
}

/** `presence standalone` on free ports, once /readyz answers; `httpHost` is what --http binds. */
export async function startStandaloneProcess(children: Children, args: readonly string[] = [], httpHost = '127.0.0.1'): Promise<StartedStandalone> {
  const sipPort = await freeUdpTcpPort();
  const httpPort = await freePort('tcp');
  const url = `http://127.0.0.1:${httpPort}`;
  const child = spawnPresence(children, [
    'standalone',
    '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
    '--http', `${httpHost}:${httpPort}`,
    '--domain', 'example.com',
    '--log-level', 'warn',
    ...args,
  ]);
  await eventually(
    async () => {
      expect(child.exited(), `presence exited early: ${child.stderr()}`).toBe(false);
      expect((await httpGet(`${url}/readyz`, 1000)).status).toBe(200);
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return { child, sipPort, httpPort, url };
}
