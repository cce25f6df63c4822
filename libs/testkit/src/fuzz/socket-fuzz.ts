import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Children, freePort, freeUdpTcpPort, metricSamples, nonZeroSamples, sleep, startPresenceProcess, type PresenceProcess, ALLOW_EVERY_WATCHER_ARGS } from '@presence/dev-tools';
import { SIP_METHODS } from '@presence/sip';
import { DOMAIN } from '../behaviour/harness.js';
import { abuseRequest, nextFinal } from '../behaviour/malformed-requests.js';
import { rawTcp, rawUdp, startLine } from '../raw-peers.js';
import { fuzzNote } from './fuzz-run.js';

/**
 * What the through-the-socket fuzz tests share: a `presence standalone`
 * process (built dist/) on UDP and TCP, clients that keep every response,
 * and the oracle. A request, however malformed, gets no 5xx: 503 never (no
 * configured limit is near at this load), 500, 501, 505 and 513 only where
 * RFC 3261 requires them (see serverErrors). After the
 * run the process still runs and answers, counted no internal error, and
 * its resident memory stays under RSS_BOUND_BYTES.
 */
export const RSS_BOUND_BYTES = 300 * 1024 * 1024;

/**
 * The 5xx responses among `responses` (their head names the request: Call-ID,
 * CSeq), for the failure report. 505 is no server error: a mutation that
 * turns SIP/2.0 into another well-formed version (SIP/2.8) is refused with
 * it (RFC 3261 §21.5.6); 513 refuses a message too large (§21.5.14); 501
 * answers a method no RFC defines (§8.2.1, §21.5.2), and only that; and
 * `500 Out of order CSeq` is what §12.2.2 requires for an in-dialog request
 * whose CSeq is not above the last one (the fuzzer found it: a lower CSeq
 * after a refresh). Any other 500 is a handler that threw.
 */
export function serverErrors(responses: readonly string[]): string[] {
  return responses
    .filter((r) => /^SIP\/2\.0 5\d\d /.test(r) && !/^SIP\/2\.0 (505|513) /.test(r) && !r.startsWith('SIP/2.0 500 Out of order CSeq\r\n') && !unknownMethod501(r))
    .map((r) => r.slice(0, 600));
}

function unknownMethod501(response: string): boolean {
  const method = /^CSeq:[ \t]*\d+[ \t]+(\S+)/im.exec(response)?.[1];
  return response.startsWith('SIP/2.0 501 ') && method !== undefined && !SIP_METHODS.has(method);
}

/**
 * A UDP client that keeps every response it receives and answers each
 * NOTIFY (successful SUBSCRIBEs bring them) with 200, so none is retransmitted.
 */
export class FuzzUdp {
  readonly responses: string[] = [];
  sent = 0;
  private lastArrival = Date.now();

  private constructor(private readonly socket: UdpSocket) {
    socket.on('message', (msg, rinfo) => {
      this.lastArrival = Date.now();
      const text = msg.toString('latin1');
      if (text.startsWith('SIP/2.0 ')) this.responses.push(text);
      else if (text.startsWith('NOTIFY ')) socket.send(Buffer.from(okFor(text), 'latin1'), rinfo.port, rinfo.address);
    });
  }

  static async open(): Promise<FuzzUdp> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new FuzzUdp(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends the datagrams a few at a time (so the kernel does not drop them), then waits until 150 ms pass without one arriving. */
  async sendAll(datagrams: readonly Buffer[], serverPort: number): Promise<void> {
    for (let i = 0; i < datagrams.length; i++) {
      if (datagrams[i]!.length > 65_000) continue;
      this.socket.send(datagrams[i]!, serverPort, '127.0.0.1');
      this.sent++;
      if (i % 10 === 9) await sleep(2);
    }
    this.lastArrival = Date.now();
    const deadline = Date.now() + 5000;
    while (Date.now() - this.lastArrival < 150 && Date.now() < deadline) await sleep(25);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** 200 OK for an in-dialog request: Via, From, To, Call-ID and CSeq copied (RFC 3261 §8.2.6.2). */
function okFor(request: string): string {
  const head = request.slice(0, request.indexOf('\r\n\r\n'));
  const copied = head.split('\r\n').filter((line) => /^(via|v|from|f|to|t|call-id|i|cseq):/i.test(line));
  return `SIP/2.0 200 OK\r\n${copied.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

/** Sends each message on a TCP connection of its own, a few at a time, and returns every response read. */
export async function overTcp(messages: readonly Buffer[], port: number): Promise<string[]> {
  const responses: string[] = [];
  const one = (message: Buffer) =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      let text = '';
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        socket.destroy();
        for (const part of text.split(/(?=SIP\/2\.0 \d{3} )/)) if (part.startsWith('SIP/2.0 ')) responses.push(part);
        resolve();
      };
      const timer = setTimeout(done, 300);
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (/^SIP\/2\.0 [2-6]\d\d /m.test(text)) done();
      });
      socket.on('error', done);
      socket.on('close', done);
      socket.write(message);
    });
  for (let i = 0; i < messages.length; i += 10) await Promise.all(messages.slice(i, i + 10).map(one));
  return responses;
}


/** A standalone process for fuzzing, on one UDP and TCP port, and the checks of its health. */
export class FuzzTarget {
  private constructor(
    private readonly children: Children,
    readonly server: PresenceProcess,
    readonly sipPort: number,
  ) {}

  static async start(id: string): Promise<FuzzTarget> {
    const children = new Children();
    const sipPort = await freeUdpTcpPort();
    // prettier-ignore
    const server = await startPresenceProcess(children, 'standalone', id, await freePort('tcp'), [
      '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
      '--domain', DOMAIN,
      '--auth', 'none',
      ...ALLOW_EVERY_WATCHER_ARGS,
      '--log-level', 'error',
      // Thousands of requests from 127.0.0.1 as fast as the machine sends them: a parser test, not a rate-limit one.
      '--rate-limit', '0',
    ]);
    return new FuzzTarget(children, server, sipPort);
  }

  /** Why the process is not usable, or undefined: it exited (its stderr follows). */
  exitReport(): string | undefined {
    return this.server.child.exited() ? `the server exited:\n${this.server.child.stderr().slice(-3000)}` : undefined;
  }

  /** VmRSS of the process, in bytes (Linux /proc). */
  residentBytes(): number {
    const status = readFileSync(`/proc/${this.server.child.process.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (kb === null) throw new Error(`no VmRSS in /proc/${this.server.child.process.pid}/status`);
    return Number(kb[1]) * 1024;
  }

  /**
   * The problems found after a run ([] when healthy): exited, OPTIONS and
   * REGISTER over UDP and OPTIONS over TCP not answered 200, an internal
   * error counted, resident memory over the bound.
   */
  async healthProblems(): Promise<string[]> {
    const exited = this.exitReport();
    if (exited !== undefined) return [exited];
    const problems: string[] = [];
    const udp = await rawUdp();
    try {
      udp.send(abuseRequest('OPTIONS'), this.sipPort);
      const options = await nextFinal(udp);
      if (options !== 'SIP/2.0 200 OK') problems.push(`OPTIONS over UDP: ${options}`);
      udp.send(abuseRequest('REGISTER', { extra: [`Contact: <sip:raw@127.0.0.1:${udp.port}>`] }, (t) => t.replace('<sip:server@example.com>', '<sip:raw@example.com>')), this.sipPort);
      const register = await nextFinal(udp);
      if (register !== 'SIP/2.0 200 OK') problems.push(`REGISTER over UDP: ${register}`);
    } finally {
      await udp.close();
    }
    const tcp = await rawTcp(this.sipPort);
    try {
      tcp.send(abuseRequest('OPTIONS', { transport: 'TCP' }));
      const options = startLine(await tcp.next());
      if (options !== 'SIP/2.0 200 OK') problems.push(`OPTIONS over TCP: ${options}`);
    } finally {
      await tcp.close();
    }
    const text = await this.server.metrics();
    if (metricSamples(text, 'presence_internal_errors_total').length === 0) problems.push('no presence_internal_errors_total series');
    problems.push(...nonZeroSamples(text, 'presence_internal_errors_total').map((sample) => `internal errors: ${sample}`));
    const rss = this.residentBytes();
    fuzzNote(`${this.server.id}: VmRSS ${Math.round(rss / 1048576)} MB after the run (bound ${RSS_BOUND_BYTES / 1048576} MB)`);
    if (rss >= RSS_BOUND_BYTES) problems.push(`resident memory ${Math.round(rss / 1048576)} MB, bound ${RSS_BOUND_BYTES / 1048576} MB`);
    return problems;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.children.killAll();
  }
}
