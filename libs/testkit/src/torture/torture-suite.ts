import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonZeroSamples, type PresenceProcess } from '@presence/dev-tools';
import { eventually } from '../eventually.js';
import { openTorturePeer, type TorturePeer } from './torture-peers.js';
import { outcomeOf, sipMessage, type TortureCase, type TortureTransport, type TortureWire } from './torture-case.js';
import { TORTURE_CASES } from './torture-cases.js';

/** A presence server process (standalone or a cluster edge) serving `domain`. */
export interface TortureTarget {
  readonly process: PresenceProcess;
  readonly domain: string;
  /** Its port on each of the five transports (every one must be there). */
  readonly ports: Partial<Record<TortureTransport, number>>;
  stop(): Promise<void>;
}

/** How long a case that must not be answered is listened to. */
const QUIET_MS = 300;
const ANSWER_MS = 5000;

/**
 * Every RFC 4475 case over every transport the target listens on, one
 * connection per case, then: the process still runs and answers OPTIONS and
 * REGISTER, no internal error was counted, and its SIP transactions and
 * connections return to where they were before.
 */
export function tortureSuite(name: string, start: () => Promise<TortureTarget>): void {
  describe(`${name}: RFC 4475 torture cases`, () => {
    let target: TortureTarget | undefined;
    let baseline = { transactions: 0, connections: 0 };
    const server = (): TortureTarget => target ?? fail('target not started');
    let runs = 0;

    beforeAll(async () => {
      target = await start();
      baseline = await gauges(target.process);
    }, 60_000);
    afterAll(async () => {
      await target?.stop();
    });

    for (const transport of ['udp', 'tcp', 'tls', 'ws', 'wss'] as const) {
      describe(transport, () => {
        for (const test of TORTURE_CASES.filter((c) => c.transports.includes(transport))) {
          const outcome = outcomeOf(test, transport);
          const expected =
            outcome.kind === 'answered' ? outcome.status.join(' or ') : outcome.kind === 'answeredEach' ? outcome.statuses.map((s) => s.join(' or ')).join(' and ') : outcome.kind;
          it(`${test.name} (${source(test)}, ${test.valid ? 'valid' : 'invalid'}): ${expected}`, async () => {
            // A target without a listener is misconfigured: a failure, not a skipped tier.
            const port = server().ports[transport] ?? fail(`the target has no ${transport} listener`);
            const peer = await openTorturePeer(transport, port);
            try {
              await runCase(test, peer, { via: transport.toUpperCase(), sentBy: peer.sentBy, id: `${test.name}x${transport}x${process.pid}x${++runs}`, domain: server().domain });
            } finally {
              await peer.close();
            }
            const child = server().process.child;
            expect(child.exited(), `the server exited: ${child.stderr().slice(-3000)}`).toBe(false);
          });
        }
      });
    }

    it('after every case: OPTIONS and REGISTER answered, no internal error, transactions and connections back to baseline', async () => {
      const { process: presence, domain, ports } = server();
      for (const transport of Object.keys(ports) as TortureTransport[]) {
        const peer = await openTorturePeer(transport, ports[transport] as number);
        try {
          const wire = (kind: string): TortureWire => ({ via: transport.toUpperCase(), sentBy: peer.sentBy, id: `after${kind}x${transport}x${process.pid}`, domain });
          peer.send(probe(wire('options'), 'OPTIONS'));
          expect(firstLine(await peer.next(ANSWER_MS)), `${transport} OPTIONS`).toBe('SIP/2.0 200 OK');
          peer.send(probe(wire('register'), 'REGISTER'));
          expect(firstLine(await peer.next(ANSWER_MS)), `${transport} REGISTER`).toBe('SIP/2.0 200 OK');
        } finally {
          await peer.close();
        }
      }
      const metrics = await presence.metrics();
      expect(nonZeroSamples(metrics, 'presence_internal_errors_total')).toEqual([]);
      expect(nonZeroSamples(metrics, 'presence_sip_handler_errors_total')).toEqual([]);
      // Non-INVITE transactions linger 64*T1 over UDP (Timer J), INVITE ones until Timer H.
      await eventually(async () => expect(await gauges(presence)).toEqual(baseline), { timeoutMs: 20_000, intervalMs: 250 });
    }, 40_000);
  });
}

async function runCase(test: TortureCase, peer: TorturePeer, wire: TortureWire): Promise<void> {
  const outcome = outcomeOf(test, peer.transport);
  peer.send(test.message(wire));
  switch (outcome.kind) {
    case 'answered':
    case 'answeredEach': {
      const unmatched = outcome.kind === 'answered' ? [outcome.status] : [...outcome.statuses];
      while (unmatched.length > 0) {
        const response = await peer.next(ANSWER_MS);
        expect(response.includes(wire.id), `an answer to this case, got:\n${response}`).toBe(true);
        const status = Number(firstLine(response).split(' ')[1]);
        const match = unmatched.findIndex((statuses) => statuses.includes(status));
        expect(match, `${firstLine(response)}, expected ${unmatched.map((s) => s.join(' or ')).join(' and ')} (${test.why})`).not.toBe(-1);
        unmatched.splice(match, 1);
      }
      // Nothing else: e.g. the noise after dblreq's Content-Length in a datagram is never answered.
      if (peer.transport !== 'udp') await peer.silence(50);
      return;
    }
    case 'dropped':
    case 'ignored':
    case 'waits':
      await peer.silence(QUIET_MS);
      expect(peer.closed, 'connection closed').toBe(false);
      return;
    case 'closed':
      await eventually(() => expect(peer.closed, 'connection closed by the server').toBe(true), { timeoutMs: 5000, intervalMs: 20 });
  }
}

/** A plain request to check the server still serves. */
function probe(wire: TortureWire, method: 'OPTIONS' | 'REGISTER'): Buffer {
  const aor = `sip:torture-probe@${wire.domain}`;
  return sipMessage([
    `${method} ${method === 'REGISTER' ? `sip:${wire.domain}` : aor} SIP/2.0`,
    `Via: SIP/2.0/${wire.via} ${wire.sentBy};rport;branch=z9hG4bK${wire.id}`,
    `Max-Forwards: 70`,
    `From: <${aor}>;tag=probe`,
    `To: <${aor}>`,
    `Call-ID: ${wire.id}`,
    `CSeq: 1 ${method}`,
    ...(method === 'REGISTER' ? [`Contact: <sip:probe@client.invalid>`, 'Expires: 0'] : []),
    `Content-Length: *`,
  ]);
}

async function gauges(presence: PresenceProcess): Promise<{ transactions: number; connections: number }> {
  const metrics = await presence.metrics();
  return { transactions: sumOf(metrics, 'presence_sip_transactions'), connections: sumOf(metrics, 'presence_connections') };
}

function sumOf(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Where a case comes from: an RFC 4475 section, or the RFC it was written from. */
function source(test: TortureCase): string {
  return test.section.startsWith('RFC') ? test.section : `RFC 4475 §${test.section}`;
}

function firstLine(message: string): string {
  return message.slice(0, message.indexOf('\r\n'));
}

function fail(message: string): never {
  throw new Error(message);
}
