import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawTcp, rawUdp, requestText, startLine, type Inbox, type RawUdp, type RequestText } from '../raw-peers.js';
import { metricSamples, nonZeroSamples, type PresenceProcess } from '@presence/dev-tools';
import { DOMAIN, pidf } from './harness.js';

/** A presence server in a process of its own (standalone, or a cluster edge), serving DOMAIN. */
export interface ServerProcessTarget {
  /** The SIP port, the same number for UDP and TCP. */
  readonly sipPort: number;
  /** Must still run after every test: a malformed request may cost itself, never the process. */
  readonly process: PresenceProcess;
  stop(): Promise<void>;
}

let unique = 0;

/** A request of `method` for a presentity of DOMAIN; `edit` rewrites its text (e.g. to break a header). */
export function abuseRequest(method: string, spec: RequestText = {}, edit: (text: string) => string = (text) => text): string {
  const n = ++unique;
  const extra = method === 'SUBSCRIBE' || method === 'PUBLISH' ? ['Event: presence', 'Expires: 60'] : [];
  const text = requestText({
    method,
    uri: method === 'REGISTER' ? `sip:${DOMAIN}` : `sip:p-${process.pid}-${n}@${DOMAIN}`,
    branch: `z9hG4bKabuse${process.pid}x${n}`,
    callId: `abuse-${process.pid}-${n}`,
    ...spec,
    extra: [...extra, ...(spec.extra ?? [])],
  });
  return edit(text);
}

/** The next final response's start line, skipping requests (a NOTIFY) and provisional responses. */
export async function nextFinal(inbox: Inbox): Promise<string> {
  for (;;) {
    const line = startLine(await inbox.next(5000));
    if (line.startsWith('SIP/2.0 ') && !line.startsWith('SIP/2.0 1')) return line;
  }
}

const replace = (from: string, to: string) => (text: string) => text.replace(from, to);

/**
 * Packets that each once stopped the server or got 500 (issue "No request may
 * stop or stall the server"), as [what, method, spec, edit, reason of the 400].
 */
const PACKETS: [string, string, RequestText, ((text: string) => string) | undefined, string][] = [
  ['a space in the Contact URI', 'SUBSCRIBE', { extra: ['Contact: <sip:w@127.0.0.1:5099 x>'] }, undefined, 'Malformed Contact'],
  ['a LF in Event', 'SUBSCRIBE', { extra: ['Contact: <sip:w@127.0.0.1:5099>'] }, replace('Event: presence', 'Event: presence;id=1\nX'), 'Malformed Event'],
  ['a CR in Call-ID', 'SUBSCRIBE', { callId: 'abc\rdef', extra: ['Contact: <sip:w@127.0.0.1:5099>'] }, undefined, 'Malformed Call-ID'],
  ['a LF in a To URI parameter', 'SUBSCRIBE', { extra: ['Contact: <sip:w@127.0.0.1:5099>'] }, replace('To: <sip:server@example.com>', 'To: <sip:server@example.com;x=a\nb>'), 'Malformed To'],
  ['a CR in the Contact host', 'SUBSCRIBE', { extra: ['Contact: <sip:w@127.0\r.0.1:5099>'] }, undefined, 'Malformed Contact'],
  ['an unclosed Contact', 'SUBSCRIBE', { extra: ['Contact: <sip:a@b'] }, undefined, 'Malformed Contact'],
  ['Contact:>', 'SUBSCRIBE', { extra: ['Contact:>'] }, undefined, 'Malformed Contact'],
  ['a Contact that is not a SIP URI', 'SUBSCRIBE', { extra: ['Contact: <mailto:w@example.com>'] }, undefined, 'Malformed Contact'],
  ['an unclosed Contact in a REGISTER', 'REGISTER', { extra: ['Contact: <sip:a@b'] }, undefined, 'Malformed Contact'],
  ['a NUL in From', 'PUBLISH', {}, replace('From: <sip:raw@example.com>', 'From: <sip:raw\u0000@example.com>'), 'Malformed From'],
];

/**
 * Requests that once stopped or stalled the server, over real sockets to a
 * server process: each gets 400 naming the header, and the process answers
 * on and is still running after each test.
 */
export function malformedRequestSuite(name: string, start: () => Promise<ServerProcessTarget>): void {
  describe(`${name}: malformed requests`, () => {
    let target: ServerProcessTarget | undefined;
    let udp: RawUdp | undefined;
    const server = (): ServerProcessTarget => {
      if (target === undefined) throw new Error('target not started');
      return target;
    };
    const peer = (): RawUdp => {
      if (udp === undefined) throw new Error('UDP peer not open');
      return udp;
    };

    beforeAll(async () => {
      target = await start();
      udp = await rawUdp();
    });
    afterAll(async () => {
      await udp?.close();
      await target?.stop();
    });
    afterEach(() => {
      const child = server().process.child;
      expect(child.exited(), `the server exited: ${child.stderr().slice(-3000)}`).toBe(false);
    });

    it('malformed - each packet that once stopped the server gets 400 naming the header', async () => {
      for (const [what, method, spec, edit, reason] of PACKETS) {
        peer().send(abuseRequest(method, spec, edit), server().sipPort);
        expect(await nextFinal(peer()), what).toBe(`SIP/2.0 400 ${reason}`);
      }
      peer().send(abuseRequest('OPTIONS'), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 200 OK');
    });

    it('malformed - a From with a long run of whitespace gets 400 over UDP (59 kB) and TCP (122 kB), and the server answers on', async () => {
      const longFrom = (spaces: number) => replace('From: <sip:raw@example.com>;tag=rawtag', `From: a${' '.repeat(spaces)}x`);
      peer().send(abuseRequest('OPTIONS', {}, longFrom(59_000)), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 400 Missing or malformed From');
      peer().send(abuseRequest('OPTIONS'), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 200 OK');

      const tcp = await rawTcp(server().sipPort);
      try {
        tcp.send(abuseRequest('OPTIONS', { transport: 'TCP' }, longFrom(122_000)));
        expect(await nextFinal(tcp)).toBe('SIP/2.0 400 Missing or malformed From');
        tcp.send(abuseRequest('OPTIONS', { transport: 'TCP' }));
        expect(await nextFinal(tcp)).toBe('SIP/2.0 200 OK');
      } finally {
        await tcp.close();
      }
    });

    it('malformed - a PIDF entity holding a line break is quoted in the 400 on one status line', async () => {
      const body = pidf('sip:p@example.com&#10;X-Injected: yes', [{ id: 't', basic: 'open' }]);
      peer().send(abuseRequest('PUBLISH', { body, extra: ['Content-Type: application/pidf+xml'] }), server().sipPort);
      const line = await nextFinal(peer());
      expect(line).toMatch(/^SIP\/2\.0 400 Invalid PIDF: entity sip:p@example\.com X-Injected: yes does not match /);
      expect(peer().received.at(-1)).not.toContain('\r\nX-Injected');
    });

    it('malformed - a Request-URI in angle brackets gets 400 (RFC 3261 §25.1: a bare URI)', async () => {
      for (const method of ['SUBSCRIBE', 'PUBLISH', 'OPTIONS']) {
        peer().send(abuseRequest(method, { uri: `<sip:p-${process.pid}@${DOMAIN}>`, extra: ['Contact: <sip:w@127.0.0.1:5099>'] }), server().sipPort);
        expect(await nextFinal(peer()), method).toBe('SIP/2.0 400 Malformed Request-URI');
      }
    });

    it('malformed - a Request-URI scheme other than sip or sips gets 416, whatever the method', async () => {
      const cases: [string, string, string][] = [
        ['OPTIONS', 'http://x', 'http'],
        ['OPTIONS', 'tel:+15551234567', 'tel'],
        ['PUBLISH', 'tel:+15551234567', 'tel'],
        ['SUBSCRIBE', `pres:p@${DOMAIN}`, 'pres'],
        ['SUBSCRIBE', `im:p@${DOMAIN}`, 'im'],
        ['REGISTER', `mailto:p@${DOMAIN}`, 'mailto'],
      ];
      for (const [method, uri, scheme] of cases) {
        peer().send(abuseRequest(method, { uri, extra: ['Contact: <sip:w@127.0.0.1:5099>'] }), server().sipPort);
        expect(await nextFinal(peer()), `${method} ${uri}`).toBe(`SIP/2.0 416 Unsupported URI Scheme: ${scheme}`);
      }
      peer().send(abuseRequest('OPTIONS', { uri: `sips:${DOMAIN}` }), server().sipPort);
      expect(await nextFinal(peer()), 'a sips: Request-URI is served').toBe('SIP/2.0 200 OK');
    });

    it('malformed - another SIP version gets 505 over UDP and TCP; one without a Via to answer is dropped', async () => {
      const version7 = replace(' SIP/2.0\r\n', ' SIP/7.0\r\n');
      peer().send(abuseRequest('OPTIONS', {}, version7), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 505 Version Not Supported');
      peer().send(abuseRequest('SUBSCRIBE', { extra: ['Contact: <sip:w@127.0.0.1:5099>'] }, version7), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 505 Version Not Supported');
      // No Via: nothing to answer to. The next final response is the OPTIONS' own.
      peer().send(abuseRequest('OPTIONS', { omit: ['Via'] }, version7), server().sipPort);
      peer().send(abuseRequest('OPTIONS'), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 200 OK');

      const tcp = await rawTcp(server().sipPort);
      try {
        tcp.send(abuseRequest('OPTIONS', { transport: 'TCP' }, version7));
        expect(await nextFinal(tcp)).toBe('SIP/2.0 505 Version Not Supported');
        tcp.send(abuseRequest('OPTIONS', { transport: 'TCP' }));
        expect(await nextFinal(tcp), 'the connection serves on').toBe('SIP/2.0 200 OK');
      } finally {
        await tcp.close();
      }
    });

    it('malformed - a PIDF body that is not valid UTF-8 gets 400 over UDP and TCP, and a valid one is accepted', async () => {
      const publish = (transport: string, badBytes: boolean): Buffer => {
        const aor = `sip:utf8-${process.pid}-${++unique}@${DOMAIN}`;
        const body = pidf(aor, [{ id: 't', basic: 'open', note: 'caf\u00e9 @@' }]);
        const bytes = Buffer.from(abuseRequest('PUBLISH', { transport, uri: aor, body, extra: ['Content-Type: application/pidf+xml'] }), 'utf8');
        // Two bytes that begin no UTF-8 sequence, in place of the two '@' (Content-Length holds).
        const at = bytes.indexOf('@@', bytes.indexOf('\r\n\r\n'));
        if (badBytes) bytes.set([0xff, 0xfe], at);
        return bytes;
      };
      peer().send(publish('UDP', true), server().sipPort);
      expect(await nextFinal(peer())).toBe('SIP/2.0 400 Body is not valid UTF-8');
      peer().send(publish('UDP', false), server().sipPort);
      expect(await nextFinal(peer()), 'the same PUBLISH in valid UTF-8').toBe('SIP/2.0 200 OK');

      const tcp = await rawTcp(server().sipPort);
      try {
        tcp.send(publish('TCP', true));
        expect(await nextFinal(tcp)).toBe('SIP/2.0 400 Body is not valid UTF-8');
        tcp.send(publish('TCP', false));
        expect(await nextFinal(tcp)).toBe('SIP/2.0 200 OK');
      } finally {
        await tcp.close();
      }
    });

    it('malformed - none of it was a bug: the process counts no internal error', async () => {
      const text = await server().process.metrics();
      expect(metricSamples(text, 'presence_internal_errors_total').length, 'the series exist at 0').toBeGreaterThan(0);
      expect(nonZeroSamples(text, 'presence_internal_errors_total')).toEqual([]);
    });
  });
}
