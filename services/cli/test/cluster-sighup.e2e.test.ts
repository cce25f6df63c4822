import { copyFileSync } from 'node:fs';
import { createTestCertificate, createTestUa, eventually, rawTls, type PresenceProcess, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { aor, expectAllRunning, readyStatus, useFaultCluster } from './cluster-faults-kit.js';
import { clusterTierAvailable } from './cluster-target.js';

// SIGHUP reloads, never ends a process (Node's default would): the edge re-reads its certificate, the agent has nothing to reload.
describe.runIf(clusterTierAvailable())('cluster SIGHUP', () => {
  const ctx = useFaultCluster();
  const agents: TestUa[] = [];
  afterEach(async () => {
    await Promise.allSettled(agents.splice(0).map((a) => a.close()));
  });

  it('SIGHUP - the edge serves the new certificate to new connections, its TLS watcher keeps its connection and NOTIFYs; the agent serves on', async () => {
    const first = createTestCertificate();
    const second = createTestCertificate();
    onTestFinished(() => [first, second].forEach((c) => c.remove()));
    const { cluster } = await ctx.start({ edges: 1, agents: 1, tls: first, logLevel: 'info' });
    const edge = cluster.edges[0]!;
    const agent = cluster.agents[0]!;
    const presentity = aor('hup');
    const watcher = await createTestUa({ transport: 'tls', server: { host: '127.0.0.1', port: edge.tlsPort! }, aor: aor('hup-watcher'), certificate: first });
    agents.push(watcher);
    const { response, dialog } = await watcher.subscribe(presentity, { expires: 600 });
    expect(response.status).toBe(200);
    const initial = await dialog.nextNotify();
    // On the connection the watcher opened, not one the edge opened to the watcher's own TLS listener.
    expect(initial.flow.localPort).not.toBe(watcher.stack.listeners[0]!.port);

    copyFileSync(second.certFile, first.certFile);
    copyFileSync(second.keyFile, first.keyFile);
    edge.process.child.process.kill('SIGHUP');
    agent.child.process.kill('SIGHUP');
    await eventually(() => expect(logged(edge.process, 'reloaded')?.fingerprint).toBe(second.fingerprint), { timeoutMs: 10_000 });
    await eventually(() => expect(logged(agent, 'SIGHUP: nothing to reload')).toBeDefined(), { timeoutMs: 10_000 });

    const fresh = await rawTls(edge.tlsPort!);
    expect(fresh.socket.getPeerX509Certificate()?.fingerprint256).toBe(second.fingerprint);
    await fresh.close();

    const publisher = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: edge.sipPort }, aor: presentity });
    agents.push(publisher);
    expect((await publish(publisher, presentity, { body: pidf(presentity, [{ id: 'h', basic: 'open' }]), expires: 600 })).status).toBe(200);
    const changed = await dialog.nextNotify();
    expect(tuplesOf(changed.body)).toEqual(['h:open']);
    expect(changed.flow.token, 'the same TLS connection').toBe(initial.flow.token);
    expectAllRunning([edge.process, agent]);
    expect(await readyStatus(edge.process)).toBe(200);
    expect(await readyStatus(agent)).toBe(200);
  });
});

/** The first JSON log line of `process` with this message. */
function logged(process: PresenceProcess, msg: string): Record<string, unknown> | undefined {
  for (const line of process.child.stderr().split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record.msg === msg) return record;
  }
  return undefined;
}
