import type { IncomingRequest, SipResponse, TransportName } from '@presence/sip';
import { createTestUa, httpGet, metricValue, type LocalClusterOptions, type PresenceProcess, type TestDialog, type TestUa } from '@presence/testkit';
import { DOMAIN } from '@presence/testkit/behaviour';
import { afterEach, expect } from 'vitest';
import { startClusterTarget, type ClusterTarget } from './cluster-target.js';

/** Lease time of the agents in fault tests: the takeover bound after a crash is about this plus one renewal tick. */
export const LEASE_SECONDS = 3;
export const LEASE_MS = LEASE_SECONDS * 1000;
export const FAULT_AGENT_ARGS = ['--lease-time', String(LEASE_SECONDS)];

let unique = 0;
/** A fresh, test-unique AOR in the served domain. */
export const aor = (name: string): string => `sip:${name}-${process.pid}-${++unique}@${DOMAIN}`;


export interface FaultContext {
  /** A fresh cluster (2 edges, 2 agents, short leases unless overridden), stopped after the test. */
  start(options?: LocalClusterOptions): Promise<ClusterTarget>;
  /** A UDP (default) user agent talking to the edge on `port`, closed after the test. */
  ua(port: number, name: string, transport?: TransportName): Promise<TestUa>;
}

/** Per-test clusters and user agents, torn down in afterEach (user agents first, then the processes and servers). */
export function useFaultCluster(): FaultContext {
  const targets: ClusterTarget[] = [];
  const agents: TestUa[] = [];
  afterEach(async () => {
    await Promise.allSettled(agents.splice(0).map((a) => a.close()));
    for (const target of targets.splice(0)) await target.stop();
  });
  return {
    async start(options = {}) {
      const target = await startClusterTarget({ agentArgs: FAULT_AGENT_ARGS, ...options });
      targets.push(target);
      return target;
    },
    async ua(port, name, transport = 'udp') {
      const agent = await createTestUa({ transport, server: { host: '127.0.0.1', port }, aor: aor(name) });
      agents.push(agent);
      return agent;
    },
  };
}

/** Every presence process of the cluster (edges and agents, dead or alive). */
export function processesOf(target: ClusterTarget): PresenceProcess[] {
  return [...target.cluster.edges.map((e) => e.process), ...target.cluster.agents];
}

/** Fails naming the process (with its stderr tail) if any of them has exited. */
export function expectAllRunning(processes: readonly PresenceProcess[]): void {
  for (const p of processes) {
    expect(p.child.exited(), `${p.id} exited:\n${p.child.stderr().slice(-2000)}`).toBe(false);
  }
}

export async function readyStatus(p: PresenceProcess): Promise<number> {
  return (await httpGet(`${p.httpUrl}/readyz`, 1000).catch(() => ({ status: 0 }))).status;
}

/** Sum of one sample over several processes' /metrics. */
export async function metricSum(processes: readonly PresenceProcess[], name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = await Promise.all(processes.map(async (p) => metricValue(await p.metrics(), name, labels)));
  return values.reduce((a, b) => a + b, 0);
}

/** Consumes the dialog's NOTIFYs until one satisfies `matches`; fails after `timeoutMs` overall. */
export async function notifyMatching(dialog: TestDialog, matches: (n: IncomingRequest) => boolean, timeoutMs: number): Promise<IncomingRequest> {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`no matching NOTIFY within ${timeoutMs} ms; saw: ${seen.join(' | ') || 'none'}`);
    const notify = await dialog.nextNotify({ timeoutMs: remaining }).catch((error: Error) => {
      throw new Error(`${error.message}; saw: ${seen.join(' | ') || 'none'}`);
    });
    if (matches(notify)) return notify;
    seen.push(`${notify.header('subscription-state')} ${notify.body.replace(/\s+/g, ' ').slice(-160)}`);
  }
}

/** A fetch (SUBSCRIBE Expires 0, RFC 6665 §4.4.3): the response and, on 2xx, the one NOTIFY's body. */
export async function fetchState(ua: TestUa, presentity: string): Promise<{ response: SipResponse; body: string | undefined }> {
  const { response, dialog } = await ua.subscribe(presentity, { expires: 0 });
  if (response.status < 200 || response.status >= 300) return { response, body: undefined };
  const notify = await dialog.nextNotify({ timeoutMs: 3000 });
  expect(notify.header('subscription-state')).toMatch(/^terminated/);
  return { response, body: notify.body };
}

/** A 503 as the design wants it: with Retry-After (ARCHITECTURE "Failure model"). */
export function expect503WithRetryAfter(response: SipResponse, what: string): void {
  expect(response.status, `${what}: status`).toBe(503);
  expect(response.header('retry-after'), `${what}: Retry-After`).toMatch(/^\d+/);
}

/** Runs `work` and returns its result with the elapsed milliseconds. */
export async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}
