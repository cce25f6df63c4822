import { createSipStack, newCallId, newTag, type IncomingRequest, type SipStack } from '@presence/sip';
import { createTestUa, eventually, freeUdpTcpPort, type TestUa } from '@presence/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startStandaloneTarget, type StandaloneTarget } from './standalone-target.js';

/**
 * RFC 3261 §18.1.1 for MESSAGE over UDP: past the path MTU the server sends
 * it over TCP to the recipient's address and port; a recipient without TCP
 * there gets nothing and the sender 513.
 */
describe('MESSAGE larger than the path MTU to a UDP contact', () => {
  let target: StandaloneTarget | undefined;
  const stacks: SipStack[] = [];
  const agents: TestUa[] = [];

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await Promise.all(stacks.splice(0).map((s) => s.stop()));
    await target?.stop();
    target = undefined;
  });

  /** Bob's phone: UDP, and TCP on the same port when `withTcp`; registers over UDP and records what it receives. */
  async function phone(bob: string, withTcp: boolean, received: string[]): Promise<void> {
    const port = await freeUdpTcpPort();
    const listen = [{ transport: 'udp' as const, host: '127.0.0.1', port }, ...(withTcp ? [{ transport: 'tcp' as const, host: '127.0.0.1', port }] : [])];
    const onRequest = (request: IncomingRequest) => {
      received.push(`${request.method} ${request.flow.transport} ${request.body.length}`);
      request.respond(200);
    };
    const stack = createSipStack({ listen, onRequest, timers: { t1Ms: 50 } });
    stacks.push(stack);
    await stack.start();
    const register = {
      method: 'REGISTER',
      uri: 'sip:example.com',
      headers: { From: `<${bob}>;tag=${newTag()}`, To: `<${bob}>`, 'Call-ID': newCallId(), CSeq: '1 REGISTER', Contact: `<sip:bob@127.0.0.1:${port}>`, Expires: '300' },
    };
    expect((await stack.sendRequest(register, { uri: `sip:127.0.0.1:${target!.port('udp')}` })).status).toBe(200);
  }

  async function alice(): Promise<TestUa> {
    const agent = await createTestUa({ transport: 'tcp', server: { host: '127.0.0.1', port: target!.port('tcp') }, aor: `sip:alice-${process.pid}@example.com` });
    agents.push(agent);
    return agent;
  }

  it('mtu - a 3000-byte MESSAGE reaches a UDP contact over TCP at its address and port; a short one stays on UDP', async () => {
    target = await startStandaloneTarget();
    const bob = `sip:bob-mtu-${process.pid}@example.com`;
    const received: string[] = [];
    await phone(bob, true, received);
    const sender = await alice();
    expect((await sender.sendMessage(bob, 'z'.repeat(3000))).status).toBe(200);
    expect((await sender.sendMessage(bob, 'short')).status).toBe(200);
    expect(received).toEqual(['MESSAGE tcp 3000', 'MESSAGE udp 5']);
  });

  it('mtu - each copy of a multi-recipient MESSAGE (RFC 5365) above the limit reaches a UDP contact over TCP; a UDP-only contact gets none (513 for it, counted)', async () => {
    target = await startStandaloneTarget();
    const [bob, carol] = [`sip:bob-list-${process.pid}@example.com`, `sip:carol-list-${process.pid}@example.com`];
    const bobGot: string[] = [];
    const carolGot: string[] = [];
    await phone(bob, true, bobGot);
    await phone(carol, false, carolGot);
    const text = 'y'.repeat(1500);
    const list = `<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="${bob}"/><entry uri="${carol}"/></list></resource-lists>`;
    const body = ['--b', 'Content-Type: text/plain', '', text, '--b', 'Content-Type: application/resource-lists+xml', 'Content-Disposition: recipient-list', '', list, '--b--', ''].join('\r\n');
    const sender = await alice();
    const headers = { 'Content-Type': 'multipart/mixed;boundary=b', Require: 'recipient-list-message' };
    expect((await sender.sendMessage('sip:exploder@example.com', body, { headers })).status).toBe(202);
    await eventually(() => expect(bobGot).toEqual([expect.stringMatching(/^MESSAGE tcp \d{4}$/)]));
    const failedCopies = async () => (await target!.server.metrics.messageListCopies.get()).values.find((v) => v.labels.result === 'failed')?.value;
    await eventually(async () => expect(await failedCopies()).toBe(1));
    expect(carolGot).toEqual([]);
  });

  it('mtu - without TCP at the contact the sender gets 513 and nothing is sent over UDP', async () => {
    target = await startStandaloneTarget();
    const bob = `sip:bob-mtu-udp-${process.pid}@example.com`;
    const received: string[] = [];
    await phone(bob, false, received);
    const sender = await alice();
    const refused = await sender.sendMessage(bob, 'z'.repeat(3000));
    expect(refused.status).toBe(513);
    expect(received).toEqual([]);
  });
});
