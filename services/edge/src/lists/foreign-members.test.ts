import { silentLogger } from '@presence/runtime';
import type { IncomingRequest, OutgoingRequest, SipResponse } from '@presence/sip';
import { FakeClock } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { ForeignMembers, type ForeignState } from './foreign-members.js';

const MEMBER = 'sip:bob@192.0.2.7:5070';
const WATCHER = 'sip:alice@example.com';

/** A member server answering every SUBSCRIBE with `status` (To tagged, Expires as asked); every request kept. */
function setup(status = 200, maxDialogs = 10) {
  const clock = new FakeClock();
  const sent: OutgoingRequest[] = [];
  const states: [string, ForeignState][] = [];
  const header = (request: OutgoingRequest, name: string) => String(request.headers[name]);
  const sender = {
    sendRequest: async (request: OutgoingRequest) => {
      sent.push(request);
      return { status, to: { params: { tag: 'remote' } }, header: (name: string) => (name === 'expires' ? header(request, 'expires') : undefined) } as unknown as SipResponse;
    },
  };
  const foreign = new ForeignMembers({ sender, contact: () => 'sip:127.0.0.1:5060', clock, logger: silentLogger, onState: (key, state) => states.push([key, state]), maxDialogs, expiresS: 600 });
  return { clock, sent, states, foreign, header };
}

function notify(callId: string, toTag: string, state: string, body = ''): IncomingRequest & { status?: number } {
  const request = {
    callId,
    to: { params: { tag: toTag } },
    from: { params: { tag: 'remote' } },
    header: (name: string) => (name === 'subscription-state' ? state : undefined),
    bodyBytes: Buffer.from(body),
    contentType: body === '' ? undefined : 'application/pidf+xml',
    respond(status: number) {
      request.status = status;
    },
    status: undefined as number | undefined,
  };
  return request as unknown as IncomingRequest & { status?: number };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const tagOf = (request: OutgoingRequest) => /tag=([^;]+)/.exec(String(request.headers.from))![1]!;

describe('foreign list members: back-end SUBSCRIBE dialogs (RFC 4662 §4.4, RFC 6665)', () => {
  it('foreign - SUBSCRIBE to the member URI, its NOTIFYs passed on (200), refreshed at 80 % of the granted time, expires 0 on unsubscribe', async () => {
    const { clock, sent, states, foreign, header } = setup();
    expect(foreign.subscribe('k1', MEMBER, WATCHER)).toBe(true);
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'SUBSCRIBE', uri: MEMBER });
    expect([header(sent[0]!, 'event'), header(sent[0]!, 'accept'), header(sent[0]!, 'expires')]).toEqual(['presence', 'application/pidf+xml', '600']);
    const callId = header(sent[0]!, 'call-id');
    const ok = notify(callId, tagOf(sent[0]!), 'active;expires=600', '<presence/>');
    foreign.handleNotify(ok);
    expect(ok.status).toBe(200);
    expect(states).toEqual([['k1', { status: 'active', reason: undefined, body: new Uint8Array(Buffer.from('<presence/>')) }]]);

    clock.advance(479_000);
    await settle();
    expect(sent).toHaveLength(1);
    clock.advance(1_000);
    await settle();
    expect(sent).toHaveLength(2);
    expect([header(sent[1]!, 'call-id'), header(sent[1]!, 'cseq'), header(sent[1]!, 'to')]).toEqual([callId, '2 SUBSCRIBE', `<${MEMBER}>;tag=remote`]);

    foreign.unsubscribe('k1');
    await settle();
    expect(header(sent[2]!, 'expires')).toBe('0');
    expect(foreign.size).toBe(0);
    // Its dialog is gone here: a later NOTIFY of it is 481, and no refresh fires.
    const late = notify(callId, tagOf(sent[0]!), 'terminated;reason=timeout');
    foreign.handleNotify(late);
    expect(late.status).toBe(481);
    clock.advance(600_000);
    await settle();
    expect(sent).toHaveLength(3);
  });

  it('foreign - a refused SUBSCRIBE shows the member noresource; a terminated NOTIFY passes its reason on; the edge-wide bound holds', async () => {
    const refused = setup(404);
    refused.foreign.subscribe('k1', MEMBER, WATCHER);
    await settle();
    expect(refused.states).toEqual([['k1', { status: 'terminated', reason: 'noresource', body: undefined }]]);

    const { sent, states, foreign, header } = setup(200, 1);
    expect(foreign.subscribe('k1', MEMBER, WATCHER)).toBe(true);
    expect(foreign.subscribe('k2', 'sip:carol@192.0.2.7', WATCHER)).toBe(false);
    await settle();
    const bad = notify(header(sent[0]!, 'call-id'), tagOf(sent[0]!), 'bogus');
    foreign.handleNotify(bad);
    expect(bad.status).toBe(400);
    const ended = notify(header(sent[0]!, 'call-id'), tagOf(sent[0]!), 'terminated;reason=rejected');
    foreign.handleNotify(ended);
    expect(ended.status).toBe(200);
    expect(states).toEqual([['k1', { status: 'terminated', reason: 'rejected', body: undefined }]]);
    expect(foreign.size).toBe(0);
    const wrongTag = notify(header(sent[0]!, 'call-id'), 'other', 'active');
    foreign.handleNotify(wrongTag);
    expect(wrongTag.status).toBe(481);
  });
});
