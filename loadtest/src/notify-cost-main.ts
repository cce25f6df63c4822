import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSipStack, newCallId, newTag, type OutgoingRequest } from '@presence/sip';
import { runCostTool, wholeNumber } from './cost-figures.js';

/**
 * `node --expose-gc loadtest/dist/notify-cost-main.js [--notifies N] [--in-flight K]`:
 * what the SIP stack spends on one NOTIFY and its 200 over UDP (serialize,
 * send, client transaction, parse and match the response), in CPU
 * microseconds of this process, with K NOTIFYs in flight to a watcher process
 * that answers each at once; and the heap a completed transaction holds while
 * Timer K (T4) absorbs retransmitted responses. The fan-out's per-NOTIFY stack
 * cost without the bench's PUBLISHes and generators, so a shared box's noise
 * reaches it only through this one process.
 */
const USAGE = 'usage: node --expose-gc loadtest/dist/notify-cost-main.js [--notifies N (30000)] [--in-flight K (200)]';
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
  const { values } = parseArgs({ options: { notifies: { type: 'string', default: '30000' }, 'in-flight': { type: 'string', default: '200' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const notifies = wholeNumber('--notifies', values.notifies, 10_000_000);
  const inFlight = wholeNumber('--in-flight', values['in-flight'], 100_000);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run node with --expose-gc: the heap figure needs a full collection');
  const watcher = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [WATCHER_ROLE]: '1' } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      watcher.once('message', (message) => resolve((message as { port: number }).port));
      watcher.once('error', reject);
    });
    const stack = createSipStack({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], onRequest: (request) => request.respond(405) });
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
    watcher.kill();
  }
}

/** The watcher: a 200 to every request, echoing what RFC 3261 §8.2.6.2 says a response copies. */
function serveWatcher(): void {
  const socket = createSocket('udp4');
  socket.on('message', (datagram, from) => {
    const head = datagram.toString('latin1', 0, datagram.indexOf('\r\n\r\n'));
    let response = 'SIP/2.0 200 OK\r\n';
    for (const line of head.split('\r\n').slice(1)) {
      if (ECHOED.has(line.slice(0, line.indexOf(':')).trim().toLowerCase())) response += `${line}\r\n`;
    }
    socket.send(`${response}Content-Length: 0\r\n\r\n`, from.port, from.address);
  });
  process.on('disconnect', () => socket.close());
  socket.bind(0, '127.0.0.1', () => process.send?.({ port: socket.address().port }));
}

runCostTool(main, USAGE);
