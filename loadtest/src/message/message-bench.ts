import { randomBytes } from 'node:crypto';
import type { BenchConfig, TargetMode } from '../cli/bench-config.js';
import { stopOnAbort } from '../modes/abort-cleanup.js';
import { buildRequest, buildResponse } from '../sip/build-message.js';
import type { SipMessage } from '../sip/sip-message.js';
import { targetCpuSeconds } from '../probes/process-cpu.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { LOCAL_SERVER_HOST } from '../targets/bench-target.js';
import { startTarget } from '../targets/start-target.js';
import type { Channel, Endpoint } from '../transport/channel.js';
import { openChannel } from '../transport/open-channel.js';

/** One phase's figures: MESSAGEs delivered per second and latency. */
export interface MessagePhaseResult {
  readonly phase: 'online' | 'offline';
  readonly sent: number;
  readonly delivered: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Why the phase did not run (Kamailio has no offline store). */
  readonly skipped?: string;
  /** CPU seconds every process of the target (NATS and Redis included) used in the phase, per MESSAGE delivered; absent without /proc. */
  readonly serverCpuSecondsPerMessage?: number;
}

export interface MessageTargetResult {
  readonly label: string;
  readonly phases: readonly MessagePhaseResult[];
}

type Pending = { readonly sentAt: number; readonly done: (status: number) => void };

/**
 * The MESSAGE workload (`npm run bench -- --workload message`), from this
 * process over one sender and one recipient channel (--transport):
 * online, --messages MESSAGEs to --presentities registered recipients,
 * --concurrency in flight, timed from the send to the sender's final
 * answer, which the server gives only after the recipient's 200; offline,
 * the same number to recipients without a binding (202, stored), then all
 * recipients register at once and each message is timed from its
 * recipient's REGISTER to its arrival.
 */
export async function runMessageBench(mode: TargetMode, config: BenchConfig, log: (line: string) => void): Promise<MessageTargetResult> {
  const target = await startTarget(mode, config);
  const registered = stopOnAbort(() => target.stop());
  try {
    log(`${target.label}: MESSAGE workload, ${config.messages} per phase to ${config.presentities} recipients over ${config.transport}`);
    const endpoint = target.endpoints(config.transport)[0]!;
    // CPU per MESSAGE: on a shared machine rates move with the neighbours, the target's own CPU time much less.
    const measured = async (kind: 'online' | 'offline'): Promise<MessagePhaseResult> => {
      const before = await targetCpuSeconds(target);
      const result = await phase(kind, endpoint, config, log);
      const after = await targetCpuSeconds(target);
      if (before === undefined || after === undefined || result.delivered === 0) return result;
      return { ...result, serverCpuSecondsPerMessage: (after - before) / result.delivered };
    };
    const online = await measured('online');
    const offline: MessagePhaseResult = mode === 'kamailio' ? { ...emptyPhase('offline'), skipped: 'no offline store in the reference (404)' } : await measured('offline');
    return { label: target.label, phases: [online, offline] };
  } finally {
    registered();
    log(`stopping ${target.label}...`);
    await target.stop();
  }
}

function emptyPhase(phase: 'online' | 'offline'): MessagePhaseResult {
  return { phase, sent: 0, delivered: 0, errors: 0, perSecond: 0, p50Ms: 0, p99Ms: 0 };
}

async function phase(kind: 'online' | 'offline', endpoint: Endpoint, config: BenchConfig, log: (line: string) => void): Promise<MessagePhaseResult> {
  const domain = config.domain ?? LOCAL_SERVER_HOST;
  const run = randomBytes(4).toString('hex');
  const recipients = Array.from({ length: config.presentities }, (_, n) => `im-${run}-${n}`);
  const pending = new Map<string, Pending>();
  const arrivals = new LatencyHistogram();
  const registeredAt = new Map<string, number>();
  let received = 0;
  let lastArrival = 0;
  const onMessage = (message: SipMessage, reply: (text: string) => void): void => {
    if (message.status === 0) {
      reply(buildResponse(message, 200, 'OK'));
      if (message.method !== 'MESSAGE') return;
      received++;
      lastArrival = performance.now();
      const user = /sip:([^@;>]+)@/.exec(message.to)?.[1] ?? '';
      const since = registeredAt.get(user);
      if (since !== undefined) arrivals.recordMs(lastArrival - since);
      return;
    }
    if (message.status < 200) return;
    const entry = pending.get(`${message.callId}/${message.cseqMethod}`);
    if (entry === undefined) return;
    pending.delete(`${message.callId}/${message.cseqMethod}`);
    entry.done(message.status);
  };
  const events = { onMessage, onUnparsable: () => undefined, onClosed: () => undefined };
  const sender = await openChannel(config.transport, endpoint, config.localHost, events);
  const inbox = await openChannel(config.transport, endpoint, config.localHost, events);
  const request = (channel: Channel, method: string, uri: string, from: string, to: string, extra: { contact?: string; body?: string; headers?: string[] }): Promise<number> =>
    new Promise((resolve) => {
      const callId = `${run}-${randomBytes(6).toString('hex')}`;
      const timer = setTimeout(() => {
        pending.delete(`${callId}/${method}`);
        resolve(408);
      }, config.timeoutS * 1000);
      pending.set(`${callId}/${method}`, { sentAt: performance.now(), done: (status) => (clearTimeout(timer), resolve(status)) });
      const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
      channel.send(buildRequest({ method, uri, via: channel.via, branch, from: `<${from}>;tag=${randomBytes(4).toString('hex')}`, to: `<${to}>`, callId, cseq: 1, ...extra, contentType: 'text/plain' }));
    });
  const register = (user: string): Promise<number> => {
    registeredAt.set(user, performance.now());
    const aor = `sip:${user}@${domain}`;
    return request(inbox, 'REGISTER', `sip:${domain}`, aor, aor, { contact: inbox.contact(user), headers: ['Expires: 600'] });
  };
  try {
    if (kind === 'online') await Promise.all(recipients.map(register));
    registeredAt.clear();
    const answers = new LatencyHistogram();
    let errors = 0;
    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < config.messages) {
        const n = next++;
        const to = `sip:${recipients[n % recipients.length]}@${domain}`;
        const sentAt = performance.now();
        const status = await request(sender, 'MESSAGE', to, `sip:sender-${run}@${domain}`, to, { body: `message ${n} of ${run}` });
        if (status === (kind === 'online' ? 200 : 202)) answers.recordMs(performance.now() - sentAt);
        else errors++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, config.messages) }, worker));
    if (kind === 'online') return summary(kind, config.messages, answers, errors, performance.now() - started);
    log(`  offline: ${answers.count} stored; registering ${recipients.length} recipients`);
    const registering = performance.now();
    await Promise.all(recipients.map(register));
    const deadline = Date.now() + config.timeoutS * 1000 * 4;
    while (received < answers.count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return summary(kind, config.messages, arrivals, errors + (answers.count - received), (lastArrival || performance.now()) - registering);
  } finally {
    await sender.close();
    await inbox.close();
  }
}

function summary(phase: 'online' | 'offline', sent: number, latency: LatencyHistogram, errors: number, elapsedMs: number): MessagePhaseResult {
  const delivered = latency.count;
  return { phase, sent, delivered, errors, perSecond: elapsedMs > 0 ? (delivered * 1000) / elapsedMs : 0, p50Ms: latency.percentileMs(50), p99Ms: latency.percentileMs(99) };
}
