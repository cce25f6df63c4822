import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingRequest } from '../message/message-types.js';
import { rawTcp, rawUdp, requestText, sleep, startLine, type RawTcp, type RawUdp, type RequestText } from '@presence/testkit';
import { wireHeaderName } from '../wire/header-names.js';
import { parseNameAddr } from '../wire/name-addr.js';
import { createSipStack } from './sip-stack.js';
import type { SipStack, SipStackOptions } from './stack-types.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(
  options: Partial<SipStackOptions> = {},
  transport: 'udp' | 'tcp' = 'udp',
): Promise<{ stack: SipStack; port: number; seen: IncomingRequest[] }> {
  const seen: IncomingRequest[] = [];
  const stack = createSipStack({
    listen: [{ transport, host: '127.0.0.1', port: 0 }],
    onRequest: (r) => {
      seen.push(r);
      r.respond(200);
    },
    ...options,
  });
  cleanup.push(() => stack.stop());
  const [bound] = await stack.start();
  return { stack, port: bound!.port, seen };
}

async function udpPeer(): Promise<RawUdp> {
  const peer = await rawUdp();
  cleanup.push(() => peer.close());
  return peer;
}

/** Sends one request twice over UDP (a retransmission) and returns both responses. */
async function sendTwice(port: number): Promise<[string, string]> {
  const peer = await udpPeer();
  const text = requestText({ sentBy: `127.0.0.1:${peer.port}` });
  peer.send(text, port);
  const first = await peer.next();
  peer.send(text, port);
  return [first, await peer.next()];
}

async function tcpPeer(port: number): Promise<RawTcp> {
  const peer = await rawTcp(port);
  cleanup.push(() => peer.close());
  return peer;
}

describe('server transactions', () => {
  it('server transaction - a retransmitted request gets the same response, handler runs once', async () => {
    const { stack, port, seen } = await setup();
    const [first, second] = await sendTwice(port);
    expect(startLine(first)).toBe('SIP/2.0 200 OK');
    expect(second).toBe(first);
    expect(seen).toHaveLength(1);
    expect(stack.counters.retransmissionsAbsorbed).toBe(1);
  });

  it('server transaction - the retransmitted response is byte for byte the first, UTF-8 body included', async () => {
    const { port } = await setup({ onRequest: (r) => r.respond(200, 'OK', { headers: { 'content-type': 'text/plain' }, body: 'présence ✓ 在线' }) });
    const [first, second] = await sendTwice(port);
    expect(first).toContain('présence ✓ 在线');
    expect(first).toContain(`Content-Length: ${Buffer.byteLength('présence ✓ 在线')}`);
    expect(second).toBe(first);
  });

  it('server transaction - retransmission before the answer gets nothing; then the final response', async () => {
    let pending: IncomingRequest | undefined;
    const { port } = await setup({ onRequest: (r) => void (pending = r) });
    const peer = await udpPeer();
    const text = requestText({ method: 'SUBSCRIBE', extra: ['Event: presence'] });
    peer.send(text, port);
    peer.send(text, port);
    await peer.silence(100);
    pending!.respond(202, undefined, { toTag: 'abc' });
    pending!.respond(500); // ignored: second final response
    expect(startLine(await peer.next())).toBe('SIP/2.0 202 Accepted');
    await peer.silence(50);
    expect(pending!.answered).toBe(true);
  });

  it('server transaction - response goes to the source port (rport) and echoes Via, From, To, Call-ID, CSeq', async () => {
    const { port } = await setup({ onRequest: (r) => r.respond(200, undefined, { toTag: 'tt' }) });
    const peer = await udpPeer();
    peer.send(requestText({ sentBy: '192.0.2.1:5060', branch: 'z9hG4bKecho' }), port);
    const response = await peer.next();
    expect(response).toContain(`Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKecho;rport=${peer.port};received=127.0.0.1\r\n`);
    expect(response).toContain('From: <sip:raw@example.com>;tag=rawtag\r\n');
    expect(response).toContain('To: <sip:server@example.com>;tag=tt\r\n');
    expect(response).toContain('Call-ID: raw-call-1\r\nCSeq: 1 OPTIONS\r\n');
    expect(response).toMatch(/Content-Length: 0\r\n\r\n$/);
  });

  it('names - every response header is written as the RFCs spell it, however the request and the application spelled it', async () => {
    const headers = {
      'sip-etag': 'e1',
      expires: '60',
      'min-expires': '5',
      m: '<sip:edge@127.0.0.1>',
      'www-authenticate': 'Digest realm="example.com"',
      'allow-events': 'presence',
    };
    const { port } = await setup({ userAgent: 'sip-presence/0.1.0', onRequest: (r) => r.respond(200, undefined, { toTag: 'tt', headers }) });
    const peer = await udpPeer();
    // the request's names in lower case: the echoed ones are written canonically all the same
    peer.send(requestText({ branch: 'z9hG4bKnames' }).replace(/^(From|To|Call-ID|CSeq|Via):/gm, (name) => name.toLowerCase()), port);
    const lines = (await peer.next()).split('\r\n');
    expect(lines.slice(1, -2).map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      'Via', 'From', 'To', 'Call-ID', 'CSeq', 'SIP-ETag', 'Expires', 'Min-Expires', 'Contact', 'WWW-Authenticate', 'Allow-Events', 'Server', 'Content-Length',
    ]);
    for (const line of lines.slice(1, -2)) expect(wireHeaderName(line.slice(0, line.indexOf(':'))), line).toBe(line.slice(0, line.indexOf(':')));
    expect(lines).toContain('Server: sip-presence/0.1.0');
  });

  it('server header - on every response, the stack\'s own 400 and 481 included; the application\'s Server wins; none unless configured', async () => {
    const { port } = await setup({
      userAgent: 'sip-presence/0.1.0',
      onRequest: (r) => r.respond(200, undefined, r.method === 'MESSAGE' ? { headers: { server: 'custom/2' } } : undefined),
    });
    const peer = await udpPeer();
    peer.send(requestText({ branch: 'z9hG4bKs1' }), port);
    peer.send(requestText({ method: 'CANCEL', branch: 'z9hG4bKs2' }), port);
    peer.send(requestText({ method: 'MESSAGE', cseq: '1 OPTIONS', branch: 'z9hG4bKs3' }), port);
    peer.send(requestText({ method: 'MESSAGE', branch: 'z9hG4bKs4' }), port);
    // The stack answers 481 and 400 as it reads; the application's answers come a turn later (request admission).
    const received = [await peer.next(), await peer.next(), await peer.next(), await peer.next()];
    const byBranch = (branch: string) => received.find((r) => r.includes(`branch=${branch}`))!;
    const responses = ['z9hG4bKs1', 'z9hG4bKs2', 'z9hG4bKs3', 'z9hG4bKs4'].map(byBranch);
    expect(responses.map(startLine)).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 481 Call/Transaction Does Not Exist', 'SIP/2.0 400 CSeq method does not match', 'SIP/2.0 200 OK']);
    for (const response of responses.slice(0, 3)) expect(response).toContain('\r\nServer: sip-presence/0.1.0\r\n');
    expect(responses[3]).toContain('\r\nServer: custom/2\r\n');
    expect(responses[3]!.match(/Server:/g)).toHaveLength(1);

    const plain = await setup();
    peer.send(requestText({ branch: 'z9hG4bKs5' }), plain.port);
    expect(await peer.next()).not.toMatch(/server:/i);
  });

  it('server transaction - CANCEL for an unknown transaction gets 481, ACK is ignored', async () => {
    const { port, seen } = await setup();
    const peer = await udpPeer();
    peer.send(requestText({ method: 'CANCEL', branch: 'z9hG4bKnone' }), port);
    expect(startLine(await peer.next())).toBe('SIP/2.0 481 Call/Transaction Does Not Exist');
    peer.send(requestText({ method: 'ACK', branch: 'z9hG4bKnone2' }), port);
    await peer.silence(100);
    expect(seen).toHaveLength(0);
  });

  it('server transaction - CANCEL of a pending request gets 200 and a pending INVITE 487', async () => {
    const { port } = await setup({ onRequest: () => undefined });
    const peer = await udpPeer();
    peer.send(requestText({ method: 'INVITE', branch: 'z9hG4bKinv' }), port);
    await peer.silence(50);
    peer.send(requestText({ method: 'CANCEL', branch: 'z9hG4bKinv' }), port);
    const responses = [await peer.next(), await peer.next()].map(startLine).sort();
    expect(responses).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated']);
  });

  it('server transaction - reliable transports drop the transaction at the final response', async () => {
    const { port, seen } = await setup({}, 'tcp');
    const peer = await tcpPeer(port);
    const text = requestText({ transport: 'TCP' });
    peer.send(text);
    expect(startLine(await peer.next())).toBe('SIP/2.0 200 OK');
    peer.send(text); // Timer J = 0 on TCP: a repeat is a new transaction
    expect(startLine(await peer.next())).toBe('SIP/2.0 200 OK');
    expect(seen).toHaveLength(2);
  });
});

describe('request validation', () => {
  it('validation - missing mandatory headers get 400 naming the header; no Via is dropped', async () => {
    const { stack, port, seen } = await setup();
    const peer = await udpPeer();
    for (const [omit, reason] of [
      ['Call-ID', 'Missing Call-ID'],
      ['CSeq', 'Missing CSeq'],
      ['From', 'Missing or malformed From'],
      ['To', 'Missing or malformed To'],
    ] as const) {
      peer.send(requestText({ omit: [omit], branch: `z9hG4bK${omit}` }), port);
      expect(startLine(await peer.next())).toBe(`SIP/2.0 400 ${reason}`);
    }
    peer.send(requestText({ omit: ['Via'] }), port);
    await peer.silence(100);
    expect(seen).toHaveLength(0);
    expect(stack.counters.messagesDropped).toBe(1);
  });

  it('validation - CSeq method must match the request method', async () => {
    const { port, seen } = await setup();
    const peer = await udpPeer();
    peer.send(requestText({ method: 'MESSAGE', cseq: '1 OPTIONS' }), port);
    expect(startLine(await peer.next())).toBe('SIP/2.0 400 CSeq method does not match');
    expect(seen).toHaveLength(0);
  });

  it('validation - a UDP body shorter than Content-Length gets 400', async () => {
    const { port } = await setup();
    const peer = await udpPeer();
    peer.send(requestText({ method: 'MESSAGE', body: 'hello' }).replace('Content-Length: 5', 'Content-Length: 50'), port);
    expect(startLine(await peer.next())).toBe('SIP/2.0 400 Body shorter than Content-Length');
  });

  it('validation - handler errors answer 500 (400 for parse errors) and reach onHandlerError', async () => {
    const errors: unknown[] = [];
    const { port } = await setup({
      onRequest: async (r) => {
        if (r.method === 'MESSAGE') throw new Error('boom');
        parseNameAddr(r.header('subject') ?? ''); // a handler parsing a header of its own: SipParseError
      },
      onHandlerError: (e) => errors.push(e),
    });
    const peer = await udpPeer();
    peer.send(requestText({ method: 'MESSAGE', branch: 'z9hG4bKm' }), port);
    expect(startLine(await peer.next())).toBe('SIP/2.0 500 Server Internal Error');
    peer.send(requestText({ method: 'REGISTER', branch: 'z9hG4bKr', extra: ['Subject: not a uri'] }), port);
    expect(startLine(await peer.next())).toBe('SIP/2.0 400 Bad Request');
    expect(errors.map((e) => (e as Error).name)).toEqual(['Error', 'SipParseError']);
  });

  it('validation - a reason phrase quoting request data is written on one line and cut at 200 characters', async () => {
    const { port } = await setup({ onRequest: (r) => r.respond(400, `Invalid entity ${r.header('subject') ?? ''}\r\nX-Injected: yes`) });
    const peer = await udpPeer();
    peer.send(requestText({ extra: ['Subject: short'] }), port);
    const response = await peer.next();
    expect(startLine(response)).toBe('SIP/2.0 400 Invalid entity short  X-Injected: yes');
    expect(response).not.toContain('\r\nX-Injected');
    peer.send(requestText({ branch: 'z9hG4bKlong', extra: [`Subject: ${'x'.repeat(500)}`] }), port);
    expect(startLine(await peer.next())).toBe(`SIP/2.0 400 Invalid entity ${'x'.repeat(200 - 'Invalid entity '.length - 3)}...`);
  });

  it('validation - a malformed Request-URI, Contact, Record-Route, Event or Call-ID is refused before the handler, naming it', async () => {
    const { port, seen } = await setup();
    const peer = await udpPeer();
    const cases: [Partial<RequestText>, string][] = [
      [{ uri: 'sip:a@b"c' }, 'Malformed Request-URI'],
      [{ extra: ['Contact: <sip:w@127.0.0.1:5099 x>'] }, 'Malformed Contact'],
      [{ extra: ['Contact: <sip:a@b'] }, 'Malformed Contact'],
      [{ extra: ['Contact: >'] }, 'Malformed Contact'],
      [{ extra: ['Contact: *, <sip:a@b>'] }, 'Malformed Contact'],
      [{ extra: ['Contact: <sip:a@b>;expires=1 junk'] }, 'Malformed Contact'],
      [{ extra: ['Record-Route: <sip:p1.example.com;lr>, <sip:p2 example.com>'] }, 'Malformed Record-Route'],
      [{ extra: ['Event: presence;id'] }, 'SIP/2.0 200 OK'],
      [{ extra: ['Event: presence id'] }, 'Malformed Event'],
      [{ extra: ['Event: presence', 'Event: dialog'] }, 'Malformed Event'],
      [{ callId: 'a b' }, 'Malformed Call-ID'],
      [{ callId: 'a@b@c' }, 'Malformed Call-ID'],
      [{ callId: 'a@' }, 'Malformed Call-ID'],
      [{ callId: 'ok-(1)<2>:"3"/[4]?{5}@host.example.com' }, 'SIP/2.0 200 OK'],
    ];
    let n = 0;
    for (const [spec, reason] of cases) {
      peer.send(requestText({ ...spec, branch: `z9hG4bKbad${++n}` }), port);
      const expected = reason.startsWith('SIP/2.0') ? reason : `SIP/2.0 400 ${reason}`;
      expect(startLine(await peer.next()), JSON.stringify(spec)).toBe(expected);
    }
    expect(seen).toHaveLength(2);
  });
});

describe('admission of new requests (request-admission.ts)', () => {
  it('admission - a request that waited too long for admission is answered 503 with Retry-After, never handed over', async () => {
    const handled: string[] = [];
    const { stack, port } = await setup({
      admission: { maxInFlight: 1, maxWaitMs: 30, retryAfterS: 3 },
      // The first request is held for 100 ms, so the second waits for admission past maxWaitMs.
      onRequest: (r) => {
        handled.push(r.callId);
        return sleep(100);
      },
    });
    const peer = await udpPeer();
    const sentBy = `127.0.0.1:${peer.port}`;
    peer.send(requestText({ sentBy, branch: 'z9hG4bKslow', callId: 'slow' }), port);
    peer.send(requestText({ sentBy, branch: 'z9hG4bKwaits', callId: 'waits' }), port);
    const answer = await peer.next();
    expect(startLine(answer)).toMatch(/^SIP\/2\.0 503 Service Unavailable \(overloaded: (waited too long|queue too slow)\)$/);
    expect(answer).toContain('Call-ID: waits\r\n');
    expect(answer).toMatch(/\r\nRetry-After: 3\r\n/i);
    expect(stack.counters.requestsShed).toBe(1);
    expect(handled).toEqual(['slow']);
  });

  it('admission - responses are read and matched while new requests wait: a full queue does not hold up a client transaction', async () => {
    const { stack, port } = await setup({ admission: { maxInFlight: 1 }, onRequest: () => new Promise<void>(() => {}) });
    const peer = await udpPeer();
    const sentBy = `127.0.0.1:${peer.port}`;
    for (let i = 0; i < 50; i++) peer.send(requestText({ sentBy, branch: `z9hG4bKq${i}`, callId: `q${i}` }), port);
    const pending = stack.sendRequest(
      { method: 'OPTIONS', uri: `sip:peer@127.0.0.1:${peer.port}`, headers: { From: '<sip:a@x>;tag=1', To: '<sip:b@x>', 'Call-ID': 'out', CSeq: '1 OPTIONS' } },
      { uri: `sip:127.0.0.1:${peer.port}` },
    );
    const sent = await peer.next();
    const keep = sent.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    peer.send(`SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, port);
    expect((await pending).status).toBe(200);
  });
});
