import { fileURLToPath } from 'node:url';
import { DigestClient, Children, createTestUa, metricValue, type TestUa } from '@presence/testkit';
import { DOMAIN, pidf, publish } from '@presence/testkit/behaviour';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTierAvailable, startClusterTarget, type ClusterTarget } from './cluster-target.js';

const PRESENCE_BIN = fileURLToPath(new URL('../bin/presence.js', import.meta.url));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PRESENCE_')));

/**
 * Digest authentication across a cluster (two edges, two agents, real NATS
 * and Redis): users made by `presence user add --redis`, and a nonce issued
 * by one edge answered at the other, its counts tracked cluster-wide.
 */
describe.runIf(clusterTierAvailable())('cluster authentication', () => {
  const children = new Children();
  const agents: TestUa[] = [];
  let target: ClusterTarget | undefined;

  beforeAll(async () => {
    target = await startClusterTarget({ auth: 'digest' });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(agents.map((ua) => ua.close()));
    await target?.stop();
    await children.killAll();
  });

  /** `presence user add AOR --redis URL`, the password on stdin, as an operator runs it. */
  async function addUser(aor: string, password: string): Promise<void> {
    const child = children.spawn(process.execPath, [PRESENCE_BIN, 'user', 'add', aor, '--redis', target!.cluster.redis.url], { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv });
    child.process.stdin?.end(`${password}\n`);
    const { code } = await child.exit(15_000);
    expect(code, child.stderr()).toBe(0);
  }

  async function ua(aor: string, edge: number, password?: string): Promise<TestUa> {
    const agent = await createTestUa({
      transport: 'udp',
      server: { host: '127.0.0.1', port: target!.cluster.edges[edge]!.sipPort },
      aor,
      credentials: password === undefined ? undefined : { password },
    });
    agents.push(agent);
    return agent;
  }

  const register = (agent: TestUa, aor: string, authorization?: string) =>
    agent.sendOnce(
      'REGISTER',
      `sip:${DOMAIN}`,
      {
        From: `<${aor}>;tag=t${Math.random()}`,
        To: `<${aor}>`,
        'Call-ID': `cluster-auth-${Math.random()}`,
        CSeq: '1 REGISTER',
        Contact: `<${agent.contact}>`,
        Expires: '60',
        ...(authorization === undefined ? {} : { Authorization: authorization }),
      },
      agent.serverUri,
    );

  it('cluster auth - a nonce from edge A is accepted at edge B, and its count used there is refused at edge A', async () => {
    const aor = `sip:erin-${process.pid}@${DOMAIN}`;
    await addUser(aor, 'erin-secret');
    const atA = await ua(aor, 0);
    const atB = await ua(aor, 1);
    const challenged = await register(atA, aor);
    expect(challenged.status).toBe(401);
    const client = new DigestClient({ password: 'erin-secret' }, `erin-${process.pid}`);
    const authorization = client.answer(challenged, 'REGISTER', `sip:${DOMAIN}`)!;
    expect((await register(atB, aor, authorization)).status).toBe(200);
    const replayed = await register(atA, aor, authorization);
    expect(replayed.status).toBe(401);
    expect(replayed.headerLines('www-authenticate').every((line) => line.includes('stale=true'))).toBe(true);
    expect((await register(atA, aor, client.preemptive('REGISTER', `sip:${DOMAIN}`))).status).toBe(200);
    const [edgeA, edgeB] = await Promise.all(target!.cluster.edges.map((edge) => edge.process.metrics()));
    expect(metricValue(edgeB!, 'presence_auth_successes_total', { algorithm: 'SHA-256' })).toBe(1);
    expect(metricValue(edgeA!, 'presence_auth_challenges_total', { reason: 'stale' })).toBe(1);
  });

  it('cluster auth - a user made by presence user add publishes through one edge for a watcher authenticated at the other', async () => {
    const alice = `sip:alice-${process.pid}@${DOMAIN}`;
    const bob = `sip:bob-${process.pid}@${DOMAIN}`;
    await addUser(alice, 'alice-secret');
    await addUser(bob, 'bob-secret');
    const watcher = await ua(bob, 1, 'bob-secret');
    const { response, dialog } = await watcher.subscribe(alice, { expires: 600 });
    expect(response.status).toBe(200);
    await dialog.nextNotify();
    const publisher = await ua(alice, 0, 'alice-secret');
    expect((await publish(publisher, alice, { body: pidf(alice, [{ id: 'phone', basic: 'open' }]), expires: 120 })).status).toBe(200);
    expect((await dialog.nextNotify()).body).toContain('<basic>open</basic>');
    const wrong = await ua(alice, 1, 'not-alice-secret');
    expect((await publish(wrong, alice, { body: pidf(alice, [{ id: 'phone', basic: 'closed' }]), expires: 120 })).status).toBe(401);
  });
});
