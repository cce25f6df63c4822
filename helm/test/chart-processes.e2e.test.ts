import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  binaryGate,
  Children,
  eventually,
  freePort,
  freeUdpTcpPort,
  httpGet,
  metricValue,
  requireOrSkip,
  startNatsServer,
  startRedisServer,
  type Child,
  type ManagedServer,
} from '@presence/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findObject, names, REPO_ROOT, renderObjects, type K8sObject } from './chart-kit.js';
import { optionsIn, optionsInHelp, podCommand, replaceOption, type PodCommand } from './pod-as-local-process.js';
import { optionValue, type Workload } from './workload-view.js';

const PRESENCE_BIN = join(REPO_ROOT, 'services', 'cli', 'bin', 'presence.js');

const backendsThere =
  requireOrSkip(binaryGate('nats-server', 'apt-get install nats-server'), 'chart processes') &&
  requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'chart processes');

function helpOf(role: string): string {
  return execFileSync(process.execPath, [PRESENCE_BIN, role, '--help'], { encoding: 'utf8' });
}

/** Fails on any rendered option the role's --help does not list: the chart must not run a pod the CLI would refuse. */
function expectOptionsTheCliKnows(role: string, args: readonly string[]): void {
  const known = optionsInHelp(helpOf(role));
  expect(optionsIn(args).filter((option) => !known.has(option)), `options presence ${role} --help does not list`).toEqual([]);
}

/** The same URL(s) pointing at the test's own server instead. */
function pointedAt(urls: string, server: ManagedServer): string {
  return urls
    .split(',')
    .map((url) => {
      const moved = new URL(url);
      moved.hostname = '127.0.0.1';
      moved.port = String(server.port);
      return moved.toString().replace(/\/$/, '');
    })
    .join(',');
}

/** Every listen spec of the render on a free local port; ports UDP and TCP share stay shared. */
async function localListen(listen: string): Promise<string> {
  const specs = listen.split(',').map((spec) => {
    const [transport, , port] = spec.split(':');
    return { transport: transport!, port: port! };
  });
  const local = new Map<string, number>();
  for (const { transport, port } of specs) {
    if (local.has(port)) continue;
    const shared = specs.filter((s) => s.port === port).map((s) => s.transport);
    local.set(port, shared.includes('udp') ? await freeUdpTcpPort() : await freePort('tcp'));
    void transport;
  }
  return specs.map(({ transport, port }) => `${transport}:127.0.0.1:${local.get(port)}`).join(',');
}

interface Running {
  child: Child;
  httpUrl: string;
}

describe.runIf(backendsThere)('the default render, run as local processes', () => {
  const children = new Children();
  const servers: ManagedServer[] = [];
  let nats: ManagedServer;
  let redis: ManagedServer;
  let objects: K8sObject[];

  beforeAll(async () => {
    objects = renderObjects();
    nats = await startNatsServer();
    servers.push(nats);
    redis = await startRedisServer();
    servers.push(redis);
  });

  afterAll(async () => {
    await children.killAll();
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  async function start(component: 'agent' | 'edge'): Promise<Running> {
    const workload = findObject(objects, 'Deployment', names.of(component)) as Workload;
    const pod: PodCommand = podCommand(workload, objects);
    // The render points at the default external services; the test's own replace them.
    expect(pod.env.PRESENCE_NATS).toBe('nats://nats:4222');
    expect(pod.env.PRESENCE_REDIS).toBe('redis://redis:6379');
    const env = { ...pod.env, PRESENCE_NATS: pointedAt(pod.env.PRESENCE_NATS!, nats), PRESENCE_REDIS: pointedAt(pod.env.PRESENCE_REDIS!, redis) };

    const [role, ...rest] = pod.args;
    expect(role).toBe(component);
    const httpPort = await freePort('tcp');
    let args = replaceOption(rest, 'http', `127.0.0.1:${httpPort}`);
    const listen = optionValue(args, 'listen');
    if (listen) args = replaceOption(args, 'listen', await localListen(listen));
    expectOptionsTheCliKnows(component, args);

    // Only PATH from this environment: a PRESENCE_* variable of the developer's shell must not leak in.
    const child = children.spawn(process.execPath, [PRESENCE_BIN, component, ...args], { env: { PATH: process.env.PATH, ...env } });
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    await eventually(
      async () => {
        if (child.exited()) throw new Error(`presence ${component} exited:\n${child.stderr().slice(-3000)}`);
        expect((await httpGet(`${httpUrl}/readyz`, 500)).status).toBe(200);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    ).catch((error: unknown) => {
      throw new Error(`presence ${component} ${args.join(' ')} not ready: ${(error as Error).message}\n${child.stderr().slice(-3000)}`);
    });
    return { child, httpUrl };
  }

  it('starts the agent and the edge with the rendered options and environment, and they get ready', async () => {
    const agent = await start('agent');
    const edge = await start('edge');

    // The partition count came from the ConfigMap: the one agent takes them all.
    const partitions = Number(findObject(objects, 'ConfigMap', names.fullname).data?.PRESENCE_PARTITIONS);
    await eventually(async () => expect(metricValue((await httpGet(`${agent.httpUrl}/metrics`)).body, 'presence_owned_partitions')).toBe(partitions), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    expect((await httpGet(`${edge.httpUrl}/healthz`)).status).toBe(200);

    // SIGTERM, as Kubernetes stops a pod: both stop cleanly (the agent releasing its leases).
    for (const running of [edge, agent]) {
      running.child.process.kill('SIGTERM');
      expect((await running.child.exit(15_000)).code).toBe(0);
    }
  });
});
