import { createTestUa, eventually, metricValue, type TestUa } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, useFaultCluster } from './cluster-faults-kit.js';

/**
 * Offline MESSAGEs in a cluster (issue #13): stored in Redis, delivered by
 * whichever edge the recipient registers through, and nothing lost when
 * the delivering edge is SIGKILLed mid-delivery: its lock lapses and
 * another edge's sweep delivers the rest, in order, to a flow on yet
 * another edge (over the bus).
 */
describe.runIf(clusterTierAvailable())('cluster MESSAGE faults', () => {
  const ctx = useFaultCluster();
  const extra: TestUa[] = [];
  afterEach(async () => {
    await Promise.allSettled(extra.splice(0).map((a) => a.close()));
  });

  it.each(['tcp', 'ws'] as const)('across edges - a MESSAGE taken by edge A reaches a %s recipient through the connection it holds to edge B', async (transport) => {
    const target = await ctx.start();
    const [edgeA, edgeB] = [target.cluster.edges[0]!, target.cluster.edges[1]!];
    const alice = await ctx.ua(edgeA.sipPort, 'alice');
    const bob = await createTestUa({ transport, server: { host: '127.0.0.1', port: transport === 'ws' ? edgeB.wsPort : edgeB.sipPort }, aor: aor('bob') });
    extra.push(bob);
    expect((await bob.request('REGISTER', { expires: 300 })).status).toBe(200);
    expect((await alice.sendMessage(bob.aor, `over ${transport}`)).status).toBe(200);
    const received = await bob.nextMessage();
    expect(received.body).toBe(`over ${transport}`);
    expect(received.flow.transport).toBe(transport);
    expect(received.flow.remotePort, 'sent on the connection to edge B').toBe(transport === 'ws' ? edgeB.wsPort : edgeB.sipPort);
    expect(metricValue(await edgeA.process.metrics(), 'presence_messages_delivered_total', { path: 'online' })).toBe(1);
    // Bytes, not text, cross the bus: every octet value, invalid UTF-8 among them, arrives unchanged.
    const octets = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect((await alice.sendMessage(bob.aor, octets, { headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(200);
    const binary = await bob.nextMessage();
    expect(Buffer.compare(binary.bodyBytes, octets)).toBe(0);
    expect(binary.header('content-length')).toBe('256');
  });

  it('kill - SIGKILL of the edge delivering stored messages loses none: after its lock lapses they all arrive, in order', async () => {
    const target = await ctx.start({ edgeArgs: ['--offline-sweep-interval', '0.5'] });
    const { cluster } = target;
    const [edgeA, edgeB] = [cluster.edges[0]!, cluster.edges[1]!];
    const bob = aor('bob');
    const alice = await ctx.ua(edgeA.sipPort, 'alice');
    for (let n = 1; n <= 20; n++) expect((await alice.sendMessage(bob, `m${n}`)).status, `m${n}`).toBe(202);

    // Bob's phone registers through edge B over TCP, takes the first message and never answers; edge B dies.
    const phone = await createTestUa({ transport: 'tcp', server: { host: '127.0.0.1', port: edgeB.sipPort }, aor: bob, timers: { t1Ms: 50 } });
    extra.push(phone);
    phone.answerMessagesWith(null);
    expect((await phone.request('REGISTER', { expires: 300 })).status).toBe(200);
    expect((await phone.nextMessage({ timeoutMs: 5000 })).body).toBe('m1');
    await edgeB.process.kill();
    await phone.close();

    // A new edge; bob's desk (a WebSocket, so only that edge can reach it) replaces the phone's binding.
    const edgeC = await cluster.startEdge();
    const desk = await createTestUa({ transport: 'ws', server: { host: '127.0.0.1', port: edgeC.wsPort }, aor: bob, timers: { t1Ms: 50 } });
    extra.push(desk);
    expect((await desk.request('REGISTER', { expires: 0, headers: { Contact: '*' } })).status).toBe(200);
    expect((await desk.request('REGISTER', { expires: 300 })).status).toBe(200);
    const bodies: string[] = [];
    for (let n = 1; n <= 20; n++) bodies.push((await desk.nextMessage({ timeoutMs: 30_000 })).body);
    expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    // Counted once the 2xx is in and the message left the store, just after the UA saw it.
    await eventually(async () => {
      const delivered = await Promise.all([edgeA, edgeC].map(async (edge) => metricValue(await edge.process.metrics(), 'presence_messages_delivered_total', { path: 'offline' })));
      expect(delivered[0]! + delivered[1]!).toBe(20);
    });
    // Online again: through edge A to the desk's WebSocket on edge C.
    expect((await alice.sendMessage(bob, 'live')).status).toBe(200);
    expect((await desk.nextMessage()).body).toBe('live');
  }, 60_000);
});
