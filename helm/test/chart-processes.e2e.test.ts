import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** The admin API token in the rendered Secret, as an operator reads it (kubectl get secret ... | base64 -d). */
function adminTokenOf(objects: readonly K8sObject[]): string {
  return Buffer.from(findObject(objects, 'Secret', names.fullname).data?.['admin-token'] ?? '', 'base64').toString('utf8');
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

/**
 * Every listen spec of the render on a free port, its host kept as rendered
 * (the pod's 0.0.0.0: whether --auth none may start depends on it); ports UDP
 * and TCP share stay shared.
 */
async function onFreePorts(listen: string): Promise<string> {
  const specs = listen.split(',').map((spec) => {
    const at = spec.lastIndexOf(':');
    return { address: spec.slice(0, at), port: spec.slice(at + 1), transport: spec.slice(0, spec.indexOf(':')) };
  });
  const free = new Map<string, number>();
  for (const { port } of specs) {
    if (free.has(port)) continue;
    const shared = specs.filter((s) => s.port === port).map((s) => s.transport);
    free.set(port, shared.includes('udp') ? await freeUdpTcpPort() : await freePort('tcp'));
  }
  return specs.map(({ address, port }) => `${address}:${free.get(port)}`).join(',');
}

/** A rendered pod's command, ready to run here: the test's NATS and Redis, free ports, the Secret's files on disk. */
interface LocalPod {
  component: 'agent' | 'edge' | 'xcap';
  args: string[];
  env: Record<string, string>;
  httpUrl: string;
}

interface Running {
  child: Child;
  httpUrl: string;
}

describe.runIf(backendsThere)('the rendered edge and agent, run as local processes', () => {
  const children = new Children();
  const servers: ManagedServer[] = [];
  let nats: ManagedServer;
  let redis: ManagedServer;

  beforeAll(async () => {
    nats = await startNatsServer();
    servers.push(nats);
    redis = await startRedisServer();
    servers.push(redis);
  });

  afterAll(async () => {
    await children.killAll();
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  async function localPod(objects: readonly K8sObject[], component: LocalPod['component']): Promise<LocalPod> {
    const workload = findObject(objects, 'Deployment', names.of(component)) as Workload;
    const pod: PodCommand = podCommand(workload, objects);
    // The render points at the default external services; the test's own replace them.
    expect(pod.env.PRESENCE_NATS).toBe('nats://nats:4222');
    expect(pod.env.PRESENCE_REDIS).toBe('redis://redis:6379');
    const env = { ...pod.env, PRESENCE_NATS: pointedAt(pod.env.PRESENCE_NATS!, nats), PRESENCE_REDIS: pointedAt(pod.env.PRESENCE_REDIS!, redis) };

    const [role, ...rest] = pod.args;
    expect(role).toBe(component);
    expectOptionsTheCliKnows(component, rest);
    // --http on a free port of the rendered address (0.0.0.0, as in the pod).
    const http = optionValue(rest, 'http')!;
    const httpPort = await freePort('tcp');
    let args = replaceOption(rest, 'http', `${http.slice(0, http.lastIndexOf(':'))}:${httpPort}`);
    const listen = optionValue(args, 'listen');
    if (listen) args = replaceOption(args, 'listen', await onFreePorts(listen));
    const xcapListen = optionValue(args, 'xcap-listen');
    if (xcapListen) args = replaceOption(args, 'xcap-listen', `${xcapListen.slice(0, xcapListen.lastIndexOf(':'))}:${await freePort('tcp')}`);
    return { component, args, env, httpUrl: `http://127.0.0.1:${httpPort}` };
  }

  function spawnPod(pod: LocalPod, args = pod.args): Child {
    // Only PATH from this environment: a PRESENCE_* variable of the developer's shell must not leak in.
    return children.spawn(process.execPath, [PRESENCE_BIN, pod.component, ...args], { env: { PATH: process.env.PATH, ...pod.env } });
  }

  async function startReady(pod: LocalPod): Promise<Running> {
    const child = spawnPod(pod);
    await eventually(
      async () => {
        if (child.exited()) throw new Error(`presence ${pod.component} exited:\n${child.stderr().slice(-3000)}`);
        expect((await httpGet(`${pod.httpUrl}/readyz`, 500)).status).toBe(200);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    ).catch((error: unknown) => {
      throw new Error(`presence ${pod.component} ${pod.args.join(' ')} not ready: ${(error as Error).message}\n${child.stderr().slice(-3000)}`);
    });
    return { child, httpUrl: pod.httpUrl };
  }

  async function stopLikeKubernetes(running: Running): Promise<void> {
    running.child.process.kill('SIGTERM');
    expect((await running.child.exit(15_000)).code).toBe(0);
  }

  it('starts the default render\'s agent and edge with every rendered option and the environment, and they get ready', async () => {
    const objects = renderObjects();
    const agentPod = await localPod(objects, 'agent');
    const edgePod = await localPod(objects, 'edge');
    // Digest authentication keyed by the nonce key file from the rendered Secret.
    expect(optionValue(edgePod.args, 'auth')).toBe('digest');
    expect(optionValue(edgePod.args, 'nonce-key-file')).toBeDefined();
    for (const pod of [agentPod, edgePod]) expect(optionValue(pod.args, 'admin-token-file'), pod.component).toBeDefined();
    const agent = await startReady(agentPod);
    const edge = await startReady(edgePod);

    // The partition count came from the ConfigMap: the one agent takes them all.
    const partitions = Number(findObject(objects, 'ConfigMap', names.fullname).data?.PRESENCE_PARTITIONS);
    await eventually(async () => expect(metricValue((await httpGet(`${agent.httpUrl}/metrics`)).body, 'presence_owned_partitions')).toBe(partitions), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    expect((await httpGet(`${edge.httpUrl}/healthz`)).status).toBe(200);

    // The admin API on the pods' 0.0.0.0 is on thanks to the token file from the Secret.
    const token = adminTokenOf(objects);
    expect(token).not.toBe('');
    const agentId = optionValue(agentPod.args, 'id')!;
    for (const running of [agent, edge]) {
      const url = `${running.httpUrl}/admin/v1/cluster`;
      expect((await fetch(url)).status, url).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token' } })).status, url).toBe(401);
      const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status, url).toBe(200);
      // Either role answers for the whole cluster: the one agent owns every partition.
      expect(((await answer.json()) as { owners: unknown }).owners).toEqual({ [agentId]: { count: partitions, partitions: `0-${partitions - 1}` } });
    }
    // And through presence ctl, as the chart README tells (a port-forward stands in for 127.0.0.1 here).
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'presence-admin-')), 'admin.token');
    writeFileSync(tokenFile, token);
    const ctl = children.spawn(process.execPath, [PRESENCE_BIN, 'ctl', 'cluster', '--url', edge.httpUrl, '--token-file', tokenFile], { env: { PATH: process.env.PATH } });
    expect((await ctl.exit(15_000)).code, ctl.stderr()).toBe(0);
    expect((JSON.parse(ctl.stdout()) as { members: unknown[] }).members).toHaveLength(1);

    // SIGTERM, as Kubernetes stops a pod: both stop cleanly (the agent releasing its leases).
    for (const running of [edge, agent]) await stopLikeKubernetes(running);
  });

  it('starts the xcap.enabled render\'s XCAP pod with every rendered option: it serves /xcap-root with digest on the edges\' users and stops on SIGTERM', async () => {
    const objects = renderObjects(['--set', 'xcap.enabled=true']);
    const pod = await localPod(objects, 'xcap');
    expect(optionValue(pod.args, 'auth')).toBe('digest');
    const xcap = await startReady(pod);
    const listen = optionValue(pod.args, 'xcap-listen')!;
    const root = `http://127.0.0.1:${listen.slice(listen.lastIndexOf(':') + 1)}/xcap-root`;
    expect((await fetch(`${root}/xcap-caps/global/index`)).status).toBe(200);
    const anonymous = await fetch(`${root}/pres-rules/users/sip:alice@example.com/index`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Digest realm="example.com"');
    await stopLikeKubernetes(xcap);
  });

  it('starts an auth.mode none render\'s edge on the pod\'s 0.0.0.0 thanks to the --insecure auth.insecure adds (not without it), at cluster.logLevel', async () => {
    const objects = renderObjects(['--set', 'auth.mode=none,auth.insecure=true,cluster.logLevel=warn']);
    const pod = await localPod(objects, 'edge');
    expect(optionValue(pod.args, 'auth')).toBe('none');
    expect(optionValue(pod.args, 'listen')).toMatch(/^udp:0\.0\.0\.0:/);
    expect(pod.args).toContain('--insecure');

    // What the chart rendered before auth.insecure: the edge refuses to start (usage error).
    const refused = spawnPod(pod, pod.args.filter((arg) => arg !== '--insecure'));
    expect((await refused.exit(15_000)).code).toBe(2);
    expect(refused.stderr()).toContain('--auth none: refusing to serve without authentication');

    const edge = await startReady(pod);
    // cluster.logLevel reaches the process (PRESENCE_LOG_LEVEL from the ConfigMap; not the CLI's default info).
    const token = adminTokenOf(objects);
    const level = await fetch(`${edge.httpUrl}/admin/v1/log-level`, { headers: { authorization: `Bearer ${token}` } });
    expect(level.status).toBe(200);
    expect(await level.json()).toEqual({ level: 'warn' });
    await stopLikeKubernetes(edge);
  });
});
