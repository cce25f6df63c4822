import { Children, eventually, httpGet, startLocalCluster, type LocalCluster } from '@presence/testkit';
import { pidf, publish } from '@presence/testkit/behaviour';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { ALICE, BOB, ctlJson, presenceScene, runPresence, type PresenceScene } from './ctl-kit.js';
import { startHepReceiver, type HepPacket, type HepReceiver } from './hep-decoder.js';

const PARTITIONS = 8;

/**
 * `presence ctl` against a real cluster (its own NATS and Redis, two agents,
 * one edge): any process answers the reads for the whole cluster from Redis,
 * and drain moves an agent's partitions to the other while it stays up.
 */
describe.runIf(clusterTierAvailable())('operate a cluster', () => {
  const children = new Children();
  let receiver: HepReceiver;
  let hep: HepPacket[];
  let cluster: LocalCluster;
  let scene: PresenceScene;
  let subscribeCallId: string;

  beforeAll(async () => {
    receiver = await startHepReceiver();
    hep = receiver.packets;
    const edgeArgs = ['--domain', 'example.com', '--hep', `udp:127.0.0.1:${receiver.port}`];
    cluster = await startLocalCluster({ edges: 1, agents: 2, partitions: PARTITIONS, edgeArgs });
    scene = await presenceScene(cluster.edges[0]!.sipPort, 'udp');
    subscribeCallId = scene.subscribeCallId;
  }, 60_000);

  afterAll(async () => {
    await scene?.close();
    await children.killAll();
    await cluster?.stop();
    receiver?.close();
  });

  const edgeUrl = () => cluster.edges[0]!.process.httpUrl;
  const [agentOne, agentTwo] = [() => cluster.agents[0]!, () => cluster.agents[1]!];

  it('ctl cluster - members and partition owners, the same from the edge and from an agent', async () => {
    const view = await ctlJson(children, edgeUrl(), ['cluster']);
    expect(view.members).toEqual(['agent-1', 'agent-2']);
    expect(view.partitions).toBe(PARTITIONS);
    expect(view.unowned).toEqual({ count: 0, partitions: '' });
    const owners = view.owners as Record<string, { count: number }>;
    expect(Object.keys(owners).sort()).toEqual(['agent-1', 'agent-2']);
    expect(owners['agent-1']!.count + owners['agent-2']!.count).toBe(PARTITIONS);
    expect(await ctlJson(children, agentOne().httpUrl, ['cluster'])).toEqual(view);
  });

  it('ctl reads - presentity, watchers, bindings and dialog from Redis, through an edge or an agent alike', async () => {
    for (const url of [edgeUrl(), agentTwo().httpUrl]) {
      const presentity = await ctlJson(children, url, ['presentity', ALICE]);
      expect(presentity).toMatchObject({ presentity: ALICE, publicationCount: 1 });
      expect(presentity.document).toContain('<basic>open</basic>');
      expect(await ctlJson(children, url, ['watchers', ALICE])).toMatchObject({ total: 1, watchers: [{ watcher: BOB, edgeId: 'edge-3', status: 'active' }] });
      expect(await ctlJson(children, url, ['bindings', ALICE])).toMatchObject({ aor: ALICE, total: 1, bindings: [{ edgeId: 'edge-3' }] });
      expect(await ctlJson(children, url, ['dialog', subscribeCallId])).toMatchObject({ dialogs: [{ callId: subscribeCallId, presentity: ALICE, watcher: BOB, edgeId: 'edge-3' }] });
    }
    const missing = await runPresence(children, ['ctl', 'bindings', 'nobody@example.com', '--url', agentOne().httpUrl]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^presence ctl: 404 /);
  });

  it('--hep on an edge - its messages reach the collector named by the edge id', async () => {
    await eventually(() => expect(hep.find((p) => p.payload.startsWith('SUBSCRIBE ') && p.payload.includes(subscribeCallId))).toBeDefined());
    const subscribe = hep.find((p) => p.payload.startsWith('SUBSCRIBE '))!;
    expect(subscribe).toMatchObject({ ipProtocol: 17, dstPort: cluster.edges[0]!.sipPort, nodeName: 'edge-3', captureId: 0 });
    expect(await ctlJson(children, edgeUrl(), ['tracing'])).toMatchObject({ hep: { dropped: 0 } });
  });

  it('ctl drain - the agent hands its partitions to the other and stays up, not ready; the edge refuses drain', async () => {
    const onEdge = await runPresence(children, ['ctl', 'drain', '--url', edgeUrl()]);
    expect(onEdge.code).toBe(1);
    expect(onEdge.stderr).toMatch(/^presence ctl: 404 drain: this process is an edge/);

    const before = (await ctlJson(children, edgeUrl(), ['cluster'])).owners as Record<string, { count: number }>;
    const drained = await ctlJson(children, agentOne().httpUrl, ['drain']);
    expect(drained.drained).toBe(true);
    expect(drained.released).toHaveLength(before['agent-1']!.count);

    await eventually(
      async () => {
        const view = await ctlJson(children, edgeUrl(), ['cluster']);
        expect(view).toMatchObject({ members: ['agent-2'], owners: { 'agent-2': { count: PARTITIONS, partitions: `0-${PARTITIONS - 1}` } }, unowned: { count: 0 } });
        expect(Object.keys(view.owners as object)).toEqual(['agent-2']);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(agentOne().child.exited()).toBe(false);
    expect((await httpGet(`${agentOne().httpUrl}/healthz`)).status).toBe(200);
    expect((await httpGet(`${agentOne().httpUrl}/readyz`)).status).toBe(503);
    // The cluster still serves: agent-2 owns every partition.
    expect((await publish(scene.alice, ALICE, { body: pidf(ALICE, [{ id: 't1', basic: 'closed' }]), expires: 300 })).status).toBe(200);
    expect(await ctlJson(children, agentOne().httpUrl, ['drain'])).toMatchObject({ drained: true, released: [] });
  });
});
