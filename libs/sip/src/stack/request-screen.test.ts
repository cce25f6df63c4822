import { afterEach, describe, expect, it } from 'vitest';
import { rawUdp, requestText, startLine, type RawUdp } from '@presence/testkit';
import type { ScreenedRequest, ScreenVerdict } from './request-screen.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack } from './stack-types.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A UDP stack whose screen answers `decide`; records what it screened and what reached the application. */
async function screened(decide: (request: ScreenedRequest) => ScreenVerdict, hold = false) {
  const seen: ScreenedRequest[] = [];
  const handled: string[] = [];
  const stack: SipStack = createSipStack({
    listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    screen: (request) => {
      seen.push(request);
      return decide(request);
    },
    onRequest: (r) => {
      handled.push(r.callId);
      r.respond(200);
      // A held request stays in progress (its promise never settles), as one waiting for an agent would.
      return hold ? new Promise<void>(() => undefined) : undefined;
    },
  });
  cleanup.push(() => stack.stop());
  const [bound] = await stack.start();
  const peer: RawUdp = await rawUdp();
  cleanup.push(() => peer.close());
  const send = (callId: string, extra: string[] = [], branch = `z9hG4bK${callId}`) =>
    peer.send(requestText({ sentBy: `127.0.0.1:${peer.port}`, callId, branch, extra }), bound!.port);
  return { stack, peer, send, seen, handled };
}

describe('request screen', () => {
  it('request screen - a refused request is answered 503 with Retry-After and a To tag, and no transaction is kept', async () => {
    const { stack, peer, send, handled } = await screened(() => ({ retryAfterS: 7, reason: 'Rate limited' }));
    send('refused');
    const answer = await peer.next();
    expect(startLine(answer)).toBe('SIP/2.0 503 Rate limited');
    expect(answer).toMatch(/\r\nRetry-After: 7\r\n/);
    expect(answer).toMatch(/\r\nTo: <sip:server@example\.com>;tag=[0-9a-f]{16}\r\n/);
    expect(stack.stats().serverTransactions).toBe(0);
    expect(stack.counters.requestsScreenedOut).toBe(1);
    expect(handled).toEqual([]);
    // §8.2.7: a retransmission, screened again, gets the same To tag.
    send('refused');
    const again = await peer.next();
    expect(again.match(/;tag=([0-9a-f]+)\r\n/)?.[1]).toBe(answer.match(/;tag=([0-9a-f]+)\r\n/)?.[1]);
  });

  it('request screen - a dropped request gets no answer and keeps no transaction; the next one let in is served', async () => {
    let drop = true;
    const { stack, peer, send, handled } = await screened(() => (drop ? 'drop' : undefined));
    send('dropped');
    await expect(peer.next(200)).rejects.toThrow();
    expect(stack.stats().serverTransactions).toBe(0);
    drop = false;
    send('served');
    expect(startLine(await peer.next())).toBe('SIP/2.0 200 OK');
    expect(handled).toEqual(['served']);
  });

  it('request screen - sees method, transport, source address, dialog-ness and headers; a retransmission of a request let in is not screened again', async () => {
    const { peer, send, seen } = await screened(() => undefined);
    send('first', ['SIP-If-Match: abc']);
    await peer.next();
    send('first', ['SIP-If-Match: abc']);
    await peer.next();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'OPTIONS', transport: 'udp', remoteAddress: '127.0.0.1', pending: 0 });
    expect(seen[0]!.inDialog()).toBe(false);
    expect(seen[0]!.has('sip-if-match')).toBe(true);
    expect(seen[0]!.has('expires')).toBe(false);
  });

  it('request screen - pending counts requests read and not yet settled, as stats() does', async () => {
    const { stack, peer, send, seen } = await screened(() => undefined, true);
    send('held');
    await peer.next();
    send('next');
    await peer.next();
    expect(seen.map((r) => r.pending)).toEqual([0, 1]);
    expect(stack.stats().requestsInProgress).toBe(2);
  });
});
