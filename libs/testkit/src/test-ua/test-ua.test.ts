import { createSipStack, newTag, type IncomingRequest, type SipResponse, type SipStack, type TransportName } from '@presence/sip';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../eventually.js';
import { sharedTestCertificate } from '../tls/test-certificate.js';
import { createTestUa, type TestUa } from './test-ua.js';

/** A minimal notifier: 200 to REGISTER/MESSAGE, 202 + NOTIFY to SUBSCRIBE (RFC 6665 §4.2.1). */
async function miniServer(transport: TransportName): Promise<{ stack: SipStack; seen: IncomingRequest[]; notifyResults: SipResponse[] }> {
  const seen: IncomingRequest[] = [];
  const notifyResults: SipResponse[] = [];
  const tags = new Map<string, string>();
  const cseqs = new Map<string, number>();
  const stack: SipStack = createSipStack({
    listen: [{ transport, host: '127.0.0.1', port: 0 }],
    tls: { certificate: sharedTestCertificate() },
    timers: { t1Ms: 5 },
    onRequest: async (r) => {
      seen.push(r);
      if (r.method !== 'SUBSCRIBE') {
        r.respond(200, undefined, { headers: r.expires === undefined ? {} : { Expires: String(r.expires) } });
        return;
      }
      const tag = r.to.params.tag ?? tags.get(r.callId) ?? newTag();
      tags.set(r.callId, tag);
      const expires = r.expires ?? 3600;
      r.respond(202, undefined, { toTag: tag, headers: { Contact: `<${stack.contactUri(transport)}>`, Expires: String(expires) } });
      const cseq = (cseqs.get(r.callId) ?? 0) + 1;
      cseqs.set(r.callId, cseq);
      const state = expires === 0 ? 'terminated;reason=timeout' : `active;expires=${expires}`;
      const result = await stack.sendRequest(
        {
          method: 'NOTIFY',
          uri: r.contacts === '*' ? '' : (r.contacts[0]?.uri ?? ''),
          headers: {
            From: `${r.header('to')};tag=${tag}`,
            To: r.header('from') as string,
            'Call-ID': r.callId,
            CSeq: `${cseq} NOTIFY`,
            Event: r.header('event') ?? 'presence',
            'Subscription-State': state,
            Contact: `<${stack.contactUri(transport)}>`,
            'Content-Type': 'application/pidf+xml',
          },
          body: `<presence entity="${r.uri}">${cseq}</presence>`,
        },
        { flow: r.flow },
      );
      notifyResults.push(result);
    },
  });
  await stack.start();
  return { stack, seen, notifyResults };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(transport: TransportName): Promise<{ ua: TestUa; server: Awaited<ReturnType<typeof miniServer>> }> {
  const server = await miniServer(transport);
  cleanup.push(() => server.stack.stop());
  const ua = await createTestUa({ transport, server: { host: '127.0.0.1', port: server.stack.listeners[0]!.port }, aor: 'sip:alice@example.com' });
  cleanup.push(() => ua.close());
  return { ua, server };
}

describe.each(['udp', 'tcp', 'tls', 'ws', 'wss'] as const)('test UA over %s', (transport) => {
  it('test-ua - request fills From tag, To, Call-ID, CSeq per Call-ID, Contact and Expires', async () => {
    const { ua, server } = await setup(transport);
    expect((await ua.request('REGISTER', { expires: 60 })).status).toBe(200);
    expect((await ua.request('REGISTER', { expires: 0 })).header('expires')).toBe('0');
    const message = await ua.request('MESSAGE', { uri: 'sip:bob@example.com', body: 'hi ✓', headers: { 'content-type': 'text/plain' } });
    expect(message.status).toBe(200);

    const [reg1, reg2, msg] = server.seen;
    expect(reg1!.uri).toBe('sip:example.com');
    expect(reg1!.to.uri).toBe('sip:alice@example.com');
    expect(reg1!.from.params.tag).toMatch(/^[0-9a-f]+$/);
    expect(reg2!.callId).toBe(reg1!.callId);
    expect([reg1!.cseq.seq, reg2!.cseq.seq]).toEqual([1, 2]);
    expect(reg1!.expires).toBe(60);
    expect((reg1!.contacts as { uri: string }[])[0]!.uri).toBe(ua.contact);
    // RFC 7118 §5.2: transport=ws for WS and WSS alike.
    expect(ua.contact).toMatch(new RegExp(`^sip:alice@.*;transport=${transport === 'wss' ? 'ws' : transport}$`));
    expect(msg!.callId).not.toBe(reg1!.callId);
    expect(msg!.to.uri).toBe('sip:bob@example.com');
    expect(msg!.body).toBe('hi ✓');
    expect(msg!.contentType).toBe('text/plain');
  });

  it('test-ua - subscribe, NOTIFY inbox, refresh and unsubscribe in the dialog', async () => {
    const { ua, server } = await setup(transport);
    const { response, dialog } = await ua.subscribe('sip:bob@example.com', { expires: 600 });
    expect(response.status).toBe(202);
    expect(dialog.remoteTag).toBe(response.to.params.tag);
    const first = await ua.nextNotify();
    expect(first.header('subscription-state')).toBe('active;expires=600');
    expect(first.body).toContain('<presence');
    expect(await dialog.nextNotify()).toBe(first);

    expect((await dialog.refresh(300)).status).toBe(202);
    expect((await ua.nextNotify()).header('subscription-state')).toBe('active;expires=300');
    expect((await dialog.unsubscribe()).status).toBe(202);
    expect((await ua.nextNotify()).header('subscription-state')).toBe('terminated;reason=timeout');

    const subscribes = server.seen.filter((r) => r.method === 'SUBSCRIBE');
    expect(subscribes.map((r) => r.cseq.seq)).toEqual([1, 2, 3]);
    expect(subscribes.map((r) => r.to.params.tag)).toEqual([undefined, dialog.remoteTag, dialog.remoteTag]);
    expect(new Set(subscribes.map((r) => r.callId)).size).toBe(1);
    expect(subscribes[0]!.header('accept')).toBe('application/pidf+xml');
    expect(dialog.notifies).toHaveLength(3);
    await eventually(() => expect(server.notifyResults.map((r) => r.status)).toEqual([200, 200, 200]));
  });

  it('test-ua - answerNotifiesWith sets the NOTIFY answer; null leaves it unanswered', async () => {
    const { ua, server } = await setup(transport);
    ua.answerNotifiesWith(481);
    await ua.subscribe('sip:bob@example.com');
    await ua.nextNotify();
    await eventually(() => expect(server.notifyResults.map((r) => r.status)).toEqual([481]));
    ua.answerNotifiesWith(null);
    await ua.subscribe('sip:carol@example.com');
    await ua.nextNotify();
    // server T1 = 5 ms: Timer F fires after 320 ms
    await eventually(() => expect(server.notifyResults.map((r) => r.status)).toEqual([481, 408]), { timeoutMs: 3000 });
  });
});

describe('test UA inbox', () => {
  it('test-ua - nextNotify rejects at its deadline', async () => {
    const { ua } = await setup('udp');
    await expect(ua.nextNotify({ timeoutMs: 50 })).rejects.toThrow('no NOTIFY within 50 ms');
  });
});
