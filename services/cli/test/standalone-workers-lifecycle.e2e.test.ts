import { copyFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaryGate, createTestCertificate, createTestUa, eventually, freePort, httpGet, metricSamples, metricValue, promtoolCheckMetrics, rawTls, requireOrSkip, type TestDialog, type TestUa } from '@presence/testkit';
import { pidf, publish, tuplesOf } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startWorkersTarget, type WorkersTarget } from './standalone-workers-target.js';

const promtoolAvailable = requireOrSkip(binaryGate('promtool', 'apt-get install prometheus'), 'promtool check of the summed /metrics');

/** The pids whose parent is `pid`: a standalone primary's edge workers. */
async function childPids(pid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(join('/proc', entry, 'stat'), 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) pids.push(Number(entry));
  }
  return pids;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('standalone --workers 2: datagrams on the wrong worker, worker UDP ports, a worker crash, SIGHUP, SIGTERM', () => {
  const uas: TestUa[] = [];
  let target: WorkersTarget | undefined;
  afterEach(async () => {
    await Promise.allSettled(uas.splice(0).map((ua) => ua.close()));
    await target?.stop();
    target = undefined;
  });
  const ua = async (name: string, transport: 'udp' | 'tcp' = 'udp'): Promise<TestUa> => {
    const agent = await createTestUa({ transport, server: { host: '127.0.0.1', port: target!.sipPort }, aor: `sip:${name}@example.com` });
    uas.push(agent);
    return agent;
  };

  it('workers - every UDP dialog reaches its worker wherever the kernel hands its datagrams; after SIGKILL of a worker it is forked again, and its dialogs answer their refresh and are notified', async () => {
    target = await startWorkersTarget();
    const metrics = async () => target!.server.metrics();
    expect(metricValue(await metrics(), 'presence_edge_workers')).toBe(2);
    const presentity = 'sip:crash@example.com';
    const publisher = await ua('crash');
    const first = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 't', basic: 'open' }]), expires: 600 });
    expect(first.status).toBe(200);

    // Twelve watchers, twelve Call-IDs: about half owned by each worker, whichever reads their datagrams.
    const dialogs: TestDialog[] = [];
    for (let i = 0; i < 12; i++) {
      const { response, dialog } = await (await ua(`watcher${i}`)).subscribe(presentity, { expires: 600 });
      expect(response.status).toBe(200);
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t:open']);
      dialogs.push(dialog);
    }
    // The NOTIFYs' 200s came back through the shared socket too: each reached its transaction (none timed out).
    await eventually(async () => expect(metricValue(await metrics(), 'presence_notifies_sent_total', { result: 'ok' })).toBe(12));
    expect(metricValue(await metrics(), 'presence_notifies_sent_total', { result: 'timeout' })).toBe(0);
    expect(metricValue(await metrics(), 'presence_udp_relays_total', { result: 'relayed' }), 'some datagrams were read by the worker that does not own them').toBeGreaterThan(0);
    // One exposition over three processes: Prometheus' own linter accepts it, and the build is one build.
    const summed = await metrics();
    expect(metricSamples(summed, 'presence_build_info').map((line) => line.slice(line.lastIndexOf(' ') + 1))).toEqual(['1']);
    expect(metricValue(summed, 'presence_subscriptions', { state: 'active' })).toBe(12);
    if (promtoolAvailable) expect((await promtoolCheckMetrics(summed)).output).toBe('');

    const workers = await childPids(target.server.child.process.pid!);
    expect(workers).toHaveLength(2);
    process.kill(workers[0]!, 'SIGKILL');
    await eventually(async () => {
      const text = await metrics();
      expect(metricValue(text, 'presence_worker_restarts_total')).toBe(1);
      expect(metricValue(text, 'presence_edge_workers')).toBe(2);
    }, { timeoutMs: 20_000, intervalMs: 100 });
    expect(await childPids(target.server.child.process.pid!)).not.toContain(workers[0]);

    // Same index, same Call-IDs: the new worker adopts its dialogs from the mirrors at their refresh.
    for (const dialog of dialogs) {
      const refresh = await dialog.refresh(600);
      expect(refresh.status).toBe(200);
      expect(refresh.to.params.tag).toBe(dialog.remoteTag);
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t:open']);
    }
    const changed = await publish(publisher, presentity, { ifMatch: first.header('sip-etag')!, body: pidf(presentity, [{ id: 't', basic: 'closed' }]), expires: 600 });
    expect(changed.status).toBe(200);
    for (const dialog of dialogs) expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t:closed']);
    expect(target.server.child.exited()).toBe(false);
  });

  it('workers - NOTIFYs leave from a worker port named in their Via; answered there, their 200s reach the worker without a relay', async () => {
    target = await startWorkersTarget({ args: ['--worker-udp-ports', '0'] });
    const metrics = async () => target!.server.metrics();
    const presentity = 'sip:ports@example.com';
    const publisher = await ua('ports');
    const first = await publish(publisher, presentity, { body: pidf(presentity, [{ id: 't', basic: 'open' }]), expires: 600 });
    expect(first.status).toBe(200);

    // Twelve Call-IDs: about half owned by each worker.
    const dialogs: TestDialog[] = [];
    const sourcePorts = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const { response, dialog } = await (await ua(`watcher${i}`)).subscribe(presentity, { expires: 600 });
      expect(response.status).toBe(200);
      const notify = await dialog.nextNotify();
      expect(tuplesOf(notify.body)).toEqual(['t:open']);
      expect(notify.flow.remotePort, 'not the shared SIP port').not.toBe(target.sipPort);
      // RFC 3261 §18.2.2: the response goes to the Via's sent-by port (with rport: the source port), here one and the same.
      expect(notify.header('via')).toMatch(new RegExp(`^SIP/2.0/UDP 127\\.0\\.0\\.1:${notify.flow.remotePort};branch=z9hG4bK[^;,]*\\.w[01];rport`));
      sourcePorts.add(notify.flow.remotePort);
      dialogs.push(dialog);
    }
    expect(sourcePorts.size, 'one port per worker').toBe(2);
    await eventually(async () => expect(metricValue(await metrics(), 'presence_notifies_sent_total', { result: 'ok' })).toBe(12));
    const relayedBefore = metricValue(await metrics(), 'presence_udp_relays_total', { result: 'relayed' });

    const changed = await publish(publisher, presentity, { ifMatch: first.header('sip-etag')!, body: pidf(presentity, [{ id: 't', basic: 'closed' }]), expires: 600 });
    expect(changed.status).toBe(200);
    for (const dialog of dialogs) expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t:closed']);
    await eventually(async () => expect(metricValue(await metrics(), 'presence_notifies_sent_total', { result: 'ok' })).toBe(24));
    // Through the shared socket, about six of the twelve 200s would have been read by the other worker; only the PUBLISH may be.
    const relayedAfter = metricValue(await metrics(), 'presence_udp_relays_total', { result: 'relayed' });
    expect(relayedAfter - relayedBefore).toBeLessThanOrEqual(1);
    expect(metricValue(await metrics(), 'presence_notifies_sent_total', { result: 'timeout' })).toBe(0);

    // In-dialog requests still go to the dialog's remote target, the shared port, and reach the dialog's worker.
    for (const dialog of dialogs) {
      const refresh = await dialog.refresh(600);
      expect(refresh.status).toBe(200);
      expect(tuplesOf((await dialog.nextNotify()).body)).toEqual(['t:closed']);
    }
  });

  it('workers - TCP: a MESSAGE read by one worker for a contact whose connection another worker holds goes out on that connection (forwarded through the primary)', async () => {
    target = await startWorkersTarget();
    const url = target.server.httpUrl;
    // Connections are accepted round robin: register over TCP until two UAs sit on different workers (the binding names its edge).
    const byWorker = new Map<string, TestUa>();
    for (let i = 0; i < 8 && byWorker.size < 2; i++) {
      const agent = await ua(`tcp${i}`, 'tcp');
      expect((await agent.request('REGISTER', { expires: 300 })).status).toBe(200);
      const answer = await httpGet(`${url}/admin/v1/bindings/${encodeURIComponent(agent.aor)}`);
      const { bindings } = JSON.parse(answer.body) as { bindings: { edgeId: string }[] };
      byWorker.set(bindings[0]!.edgeId, agent);
    }
    expect([...byWorker.keys()].sort()).toEqual(['workers-1-w0', 'workers-1-w1']);
    const [sender, recipient] = [...byWorker.values()] as [TestUa, TestUa];
    const sent = await sender.sendMessage(recipient.aor, 'across workers');
    expect(sent.status).toBe(200);
    const received = await recipient.nextMessage();
    expect(received.body).toBe('across workers');
    expect(received.flow.transport).toBe('tcp');
  });

  it('workers - SIGHUP: every worker serves the new TLS certificate on new connections; a bad file is refused by each, naming it, and the old one stays', async () => {
    const first = createTestCertificate();
    const second = createTestCertificate();
    onTestFinished(() => [first, second].forEach((c) => c.remove()));
    const tlsPort = await freePort('tcp');
    target = await startWorkersTarget({ extraListen: `tls:127.0.0.1:${tlsPort}`, args: ['--tls-cert', first.certFile, '--tls-key', first.keyFile, '--log-level', 'info'] });
    const { child } = target.server;
    // Connections are accepted round robin: four in a row reach both workers.
    const fingerprints = async (): Promise<string[]> => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const connection = await rawTls(tlsPort);
        seen.push(connection.socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        connection.close();
      }
      return seen;
    };
    expect(await fingerprints()).toEqual(Array(4).fill(first.fingerprint));

    copyFileSync(second.certFile, first.certFile);
    copyFileSync(second.keyFile, first.keyFile);
    child.process.kill('SIGHUP');
    await eventually(() => expect(child.stderr().match(/"fingerprint":"[^"]*"[^\n]*reloaded \(asked by the primary\)/g)).toHaveLength(2));
    expect(await fingerprints()).toEqual(Array(4).fill(second.fingerprint));

    writeFileSync(first.certFile, 'not a certificate\n');
    child.process.kill('SIGHUP');
    await eventually(() => expect(child.stderr()).toMatch(/worker 0: --tls-cert [^;]*; worker 1: --tls-cert /));
    expect(await fingerprints()).toEqual(Array(4).fill(second.fingerprint));
    expect(child.exited()).toBe(false);
  });

  it('workers - SIGHUP reloads in every worker and ends nothing; SIGTERM stops the workers, then the rest, exit 0, the store snapshot written', async () => {
    target = await startWorkersTarget({ args: ['--log-level', 'info'] });
    const { child } = target.server;
    const workers = await childPids(child.process.pid!);
    expect(workers).toHaveLength(2);
    const publisher = await ua('snap');
    expect((await publish(publisher, 'sip:snap@example.com', { body: pidf('sip:snap@example.com', [{ id: 's', basic: 'open' }]), expires: 600 })).status).toBe(200);

    child.process.kill('SIGHUP');
    await eventually(() => expect(child.stderr()).toMatch(/"workers":2[^\n]*"msg":"reloaded"|"msg":"reloaded"[^\n]*"workers":2/));
    expect(child.stderr().match(/reloaded \(asked by the primary\)/g)).toHaveLength(2);
    expect(child.exited()).toBe(false);
    expect(workers.every(alive)).toBe(true);
    expect((await publisher.request('REGISTER', { expires: 60 })).status).toBe(200);

    expect(await target.server.stop()).toBe(0);
    expect(workers.some(alive), 'no worker outlives the primary').toBe(false);
    const snapshot = await readFile(join(target.dataDir, 'memory-store.json'), 'utf8');
    expect(snapshot).toContain('sip:snap@example.com');
  });
});
