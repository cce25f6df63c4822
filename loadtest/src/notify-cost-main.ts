import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSipStack, newCallId, newTag, type OutgoingRequest, type SipStack } from '@presence/sip';
import { runCostTool, wholeNumber } from './cost-figures.js';

/**
 * `node --expose-gc loadtest/dist/notify-cost-main.js [--notifies N] [--in-flight K] [--in-process]`:
 * what the SIP stack spends on one NOTIFY and its 200 over UDP (serialize,
 * send, client transaction, parse and match the response), in CPU
 * microseconds of this process, with K NOTIFYs in flight to a watcher process
 * that answers each at once; and the heap a completed transaction holds while
 * Timer K (T4) absorbs retransmitted responses. The fan-out's per-NOTIFY stack
 * cost without the bench's PUBLISHes and generators, so a shared box's noise
 * reaches it only through this one process.
 *
 * `--in-process`: no watcher process; each NOTIFY still goes out by sendto
 * (to a port nobody listens on) and its 200 is built here from the bytes
 * sent and handed to the stack as a datagram read, all in the turn after the
 * sends (as one socket read would bring them). The figure then holds this
 * process's work only (plus the same echo per NOTIFY), with less of the
 * shared box's scheduling in it: for A/B rounds of the stack's own code.
 */
const USAGE = 'usage: node --expose-gc loadtest/dist/notify-cost-main.js [--notifies N (30000)] [--in-flight K (200)] [--in-process]';
const WATCHER_ROLE = 'NOTIFY_COST_WATCHER';
const DIALOGS = 1000;
/** A presence document of the bench's size: the edge hands the stack encoded bytes. */
const BODY = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:p@example.com"><tuple id="t1"><status><basic>open</basic></status><note>${'n'.repeat(300)}</note></tuple></presence>`,
);
/** Timer K is T4, 5 s by default (RFC 3261 §17.1.2.2); a little more and every completed transaction is gone. */
const TIMER_K_DRAINED_MS = 5600;
const ECHOED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

async function main(): Promise<void> {
  if (process.env[WATCHER_ROLE] !== undefined) return serveWatcher();
  const { values } = parseArgs({ options: { notifies: { type: 'string', default: '30000' }, 'in-flight': { type: 'string', default: '200' }, 'in-process': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const notifies = wholeNumber('--notifies', values.notifies, 10_000_000);
  const inFlight = wholeNumber('--in-flight', values['in-flight'], 100_000);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run node with --expose-gc: the heap figure needs a full collection');
  const inProcess = values['in-process'];
  const watcher = inProcess ? undefined : fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [WATCHER_ROLE]: '1' } });
  try {
    const port = watcher === undefined ? await unusedUdpPort() : await new Promise<number>((resolve, reject) => {
      watcher.once('message', (message) => resolve((message as { port: number }).port));
      watcher.once('error', reject);
    });
    const answers = new InProcessWatcher();
    const stack = createSipStack({
      listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
      onRequest: (request) => request.respond(405),
      ...(inProcess ? { onWire: (direction, data) => direction === 'out' && answers.answer(data) } : {}),
    });
    answers.stack = stack;
    await stack.start();
    try {
      const uri = `sip:watcher@127.0.0.1:${port}`;
      const target = { flow: `udp|0|${port}|127.0.0.1`, uri };
      const dialogs = Array.from({ length: DIALOGS }, (_, i) => ({ from: `<sip:p${i}@example.com>;tag=${newTag()}`, to: `<sip:w${i}@example.com>;tag=${newTag()}`, callId: newCallId(), cseq: 0 }));
      let sent = 0;
      let failed = 0;
      const next = (): Promise<void> | undefined => {
        if (sent >= notifies) return undefined;
        const dialog = dialogs[sent++ % DIALOGS]!;
        dialog.cseq++;
        const request: OutgoingRequest = {
          method: 'NOTIFY',
          uri,
          headers: { from: dialog.from, to: dialog.to, 'call-id': dialog.callId, cseq: `${dialog.cseq} NOTIFY`, contact: '<sip:edge@127.0.0.1>', event: 'presence', 'subscription-state': 'active;expires=3600', 'content-type': 'application/pidf+xml' },
          body: BODY,
        };
        return stack.sendRequest(request, target).then((response) => {
          if (response.status !== 200) failed++;
          return next();
        });
      };
      const cpu = process.cpuUsage();
      await Promise.all(Array.from({ length: Math.min(inFlight, notifies) }, next));
      const used = process.cpuUsage(cpu);
      gc();
      const heapHeld = process.memoryUsage().heapUsed;
      await new Promise((resolve) => setTimeout(resolve, TIMER_K_DRAINED_MS));
      gc();
      const heapDrained = process.memoryUsage().heapUsed;
      const figure = (value: number): number => Math.round((value / notifies) * 10) / 10;
      process.stdout.write(
        `${JSON.stringify({ notifies, inFlight, failed, cpuUsPerNotify: figure(used.user + used.system), userUs: figure(used.user), systemUs: figure(used.system), heapBytesPerCompletedTransaction: Math.round((heapHeld - heapDrained) / notifies) })}\n`,
      );
    } finally {
      await stack.stop();
    }
  } finally {
    watcher?.kill();
  }
}

/** The watcher's answers in this process: queued as the requests go out, taken by the stack in the next turn. */
class InProcessWatcher {
  stack: Pick<SipStack, 'takeDatagram' | 'listeners'> | undefined;
  private queued: Buffer[] = [];
  private turn: NodeJS.Immediate | undefined;

  answer(request: Buffer): void {
    this.queued.push(Buffer.from(okFor(request), 'latin1'));
    this.turn ??= setImmediate(this.deliver);
  }

  private readonly deliver = (): void => {
    this.turn = undefined;
    const due = this.queued;
    this.queued = [];
    const port = this.stack?.listeners[0]?.port ?? 0;
    for (const datagram of due) this.stack?.takeDatagram(0, datagram, '127.0.0.1', port);
  };
}

/** A UDP port nothing listens on (bound, then closed): what is sent there is dropped by the kernel. */
async function unusedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** A 200 to a request, echoing what RFC 3261 §8.2.6.2 says a response copies. */
function okFor(datagram: Buffer): string {
  const head = datagram.toString('latin1', 0, datagram.indexOf('\r\n\r\n'));
  let response = 'SIP/2.0 200 OK\r\n';
  for (const line of head.split('\r\n').slice(1)) {
    if (ECHOED.has(line.slice(0, line.indexOf(':')).trim().toLowerCase())) response += `${line}\r\n`;
  }
  return `${response}Content-Length: 0\r\n\r\n`;
}

/** The watcher: a 200 to every request, echoing what RFC 3261 §8.2.6.2 says a response copies. */
function serveWatcher(): void {
  const socket = createSocket('udp4');
  socket.on('message', (datagram, from) => socket.send(okFor(datagram), from.port, from.address));
  process.on('disconnect', () => socket.close());
  socket.bind(0, '127.0.0.1', () => process.send?.({ port: socket.address().port }));
}

runCostTool(main, USAGE);
