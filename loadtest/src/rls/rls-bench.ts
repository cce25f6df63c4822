import { randomBytes } from 'node:crypto';
import type { BenchConfig } from '../cli/bench-config.js';
import { stopOnAbort } from '../modes/abort-cleanup.js';
import { targetCpuSeconds } from '../probes/process-cpu.js';
import { readProcessMemory } from '../probes/process-memory.js';
import { buildRequest, buildResponse } from '../sip/build-message.js';
import { pidfWithTimestamp } from '../sip/pidf-timestamp.js';
import type { SipMessage } from '../sip/sip-message.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { LOCAL_SERVER_HOST } from '../targets/bench-target.js';
import { startTarget } from '../targets/start-target.js';
import type { Channel } from '../transport/channel.js';
import { openChannel } from '../transport/open-channel.js';

/** How each watcher follows its L presentities: one list subscription, or L single ones (the comparison issue #14 asks for). */
export type RlsShape = 'list' | 'singles';

/** One list size's figures. */
export interface RlsResult {
  readonly label: string;
  readonly shape: RlsShape;
  readonly listSize: number;
  readonly watchers: number;
  readonly presentities: number;
  readonly publishes: number;
  readonly notifies: number;
  readonly notifyPerSecond: number;
  readonly bytesPerNotify: number;
  readonly p99Ms: number;
  /** Members whose state reached a watcher: (watcher, PUBLISH) pairs delivered / owed. */
  readonly deliveredPct: number;
  /** Heap and RSS growth from the list subscriptions, per list member held: of the edges in a cluster, of the whole process in standalone. */
  readonly heapBytesPerMember: number | undefined;
  readonly rssBytesPerMember: number | undefined;
  /** CPU seconds of every target process during the PUBLISH phase, per PUBLISH; undefined without /proc. */
  readonly cpuMsPerPublish: number | undefined;
  /** NOTIFY body bytes towards the watchers per PUBLISH (the headers, ~400 B a NOTIFY, not counted). */
  readonly notifyBytesPerPublish: number;
}

const MARK = 'lt-ts=';
const RL = 'urn:ietf:params:xml:ns:resource-lists';

/**
 * The resource list workload: `watchers` list subscriptions (RFC 5367:
 * the list in the SUBSCRIBE body, so no XCAP is needed), each of `listSize`
 * members out of `presentities`, over TCP (a full state of 1,000 members is
 * far past a datagram); every member published once, then PUBLISHes
 * modify the presentities in turn at --rate for --duration. Each NOTIFY's
 * PIDF parts carry their PUBLISH's send time: PUBLISH→NOTIFY latency per
 * member part. Memory: the server's heap and RSS before and after the
 * subscriptions, per member held.
 */
export async function runRlsBench(config: BenchConfig, listSize: number, shape: RlsShape, log: (line: string) => void): Promise<RlsResult> {
  const target = await startTarget(config.mode, config);
  const registered = stopOnAbort(() => target.stop());
  const presentities = Math.max(config.presentities, listSize);
  const domain = config.domain ?? LOCAL_SERVER_HOST;
  const run = randomBytes(3).toString('hex');
  const aor = (n: number) => `sip:rp-${run}-${n}@${domain}`;
  const pending = new Map<string, (message: SipMessage) => void>();
  const latency = new LatencyHistogram();
  let notifies = 0;
  let notifyBytes = 0;
  let partsDelivered = 0;
  let counting = false;
  const onMessage = (message: SipMessage, reply: (text: string) => void): void => {
    if (message.status === 0) {
      reply(buildResponse(message, 200, 'OK'));
      if (message.method !== 'NOTIFY') return;
      const now = performance.timeOrigin + performance.now();
      if (counting) {
        notifies++;
        notifyBytes += message.body.length;
      }
      const initial = pending.get(`${message.callId}/NOTIFY`);
      if (initial !== undefined) {
        pending.delete(`${message.callId}/NOTIFY`);
        initial(message);
        return;
      }
      for (let at = message.body.indexOf(MARK); at >= 0; at = message.body.indexOf(MARK, at + 1)) {
        const sentAt = Number.parseFloat(message.body.slice(at + MARK.length, at + MARK.length + 20));
        if (!Number.isFinite(sentAt) || !counting) continue;
        latency.recordMs(now - sentAt);
        partsDelivered++;
      }
      return;
    }
    if (message.status < 200) return;
    const done = pending.get(`${message.callId}/${message.cseqMethod}`);
    pending.delete(`${message.callId}/${message.cseqMethod}`);
    done?.(message);
  };
  const events = { onMessage, onUnparsable: () => undefined, onClosed: () => undefined };
  try {
    const endpoint = target.endpoints('tcp')[0]!;
    const publisher = await openChannel('tcp', endpoint, config.localHost, events);
    const watcherChannel = await openChannel('tcp', endpoint, config.localHost, events);
    const request = (channel: Channel, method: string, uri: string, from: string, extra: { headers?: string[]; body?: string; contentType?: string; contact?: string }, alsoNotify = false): Promise<SipMessage[]> =>
      new Promise((resolve, reject) => {
        const callId = `${run}-${randomBytes(6).toString('hex')}`;
        const got: SipMessage[] = [];
        const want = alsoNotify ? 2 : 1;
        const timer = setTimeout(() => reject(new Error(`${method} ${uri}: no answer in ${config.timeoutS * 4} s`)), config.timeoutS * 4000);
        const take = (message: SipMessage): void => {
          got.push(message);
          if (got.length === want) {
            clearTimeout(timer);
            resolve(got);
          }
        };
        pending.set(`${callId}/${method}`, take);
        if (alsoNotify) pending.set(`${callId}/NOTIFY`, take);
        channel.send(buildRequest({ method, uri, via: channel.via, branch: `z9hG4bK${randomBytes(8).toString('hex')}`, from: `<${from}>;tag=${randomBytes(4).toString('hex')}`, to: `<${uri}>`, callId, cseq: 1, ...extra }));
      });
    const etags: string[] = [];
    const publishOnce = async (n: number): Promise<void> => {
      const headers = ['Event: presence', 'Expires: 3600', ...(etags[n] === undefined ? [] : [`SIP-If-Match: ${etags[n]}`])];
      const [answer] = await request(publisher, 'PUBLISH', aor(n), aor(n), { headers, contentType: 'application/pidf+xml', body: pidfWithTimestamp(aor(n), 'open', performance.timeOrigin + performance.now()) });
      if (answer!.status !== 200) throw new Error(`PUBLISH ${aor(n)}: ${answer!.status} ${answer!.reason}`);
      etags[n] = answer!.headers.get('sip-etag') ?? etags[n]!;
    };
    log(`${target.label}: rls, publishing ${presentities} presentities`);
    for (let n = 0; n < presentities; n += 100) await Promise.all(Array.from({ length: Math.min(100, presentities - n) }, (_, k) => publishOnce(n + k)));
    // The edges' memory (cluster), or the whole standalone process (its agent's watcher records included).
    const edges = target.probes.filter((p) => p.name.startsWith('edge-'));
    const probes = edges.length > 0 ? edges : target.probes;
    const before = await readProcessMemory(probes);

    log(`${target.label}: rls, ${config.watchers} watchers of ${listSize} presentities each, as ${shape === 'list' ? 'one list subscription' : 'single subscriptions'}`);
    const owed: number[] = Array.from({ length: presentities }, () => 0);
    for (let w = 0; w < config.watchers; w++) {
      const first = (w * 7919) % presentities;
      const members = Array.from({ length: listSize }, (_, k) => (first + k) % presentities);
      for (const m of members) owed[m]!++;
      if (shape === 'singles') {
        const watcher = `sip:rw-${run}-${w}@${domain}`;
        for (let k = 0; k < members.length; k += 100) {
          const answers = await Promise.all(
            members.slice(k, k + 100).map((m) =>
              request(watcherChannel, 'SUBSCRIBE', aor(m), watcher, { contact: watcherChannel.contact(`rw-${w}`), headers: ['Event: presence', 'Expires: 3600', 'Accept: application/pidf+xml'] }, true),
            ),
          );
          const refused = answers.find(([answer]) => answer!.status !== 200);
          if (refused !== undefined) throw new Error(`SUBSCRIBE: ${refused[0]!.status} ${refused[0]!.reason}`);
        }
        continue;
      }
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="${RL}"><list>${members.map((m) => `<entry uri="${aor(m)}"/>`).join('')}</list></resource-lists>`;
      const watcher = `sip:rw-${run}-${w}@${domain}`;
      const [answer] = await request(watcherChannel, 'SUBSCRIBE', `sip:list-${run}-${w}@${domain}`, watcher, {
        contact: watcherChannel.contact(`rw-${w}`),
        headers: ['Event: presence', 'Expires: 3600', 'Supported: eventlist', 'Require: recipient-list-subscribe', 'Accept: application/pidf+xml, application/rlmi+xml, multipart/related', 'Content-Disposition: recipient-list'],
        contentType: 'application/resource-lists+xml',
        body,
      }, true);
      if (answer!.status !== 200) throw new Error(`list SUBSCRIBE: ${answer!.status} ${answer!.reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await readProcessMemory(probes);
    const held = config.watchers * listSize;
    const growth = (pick: (m: { rssBytes: number; heapUsedBytes?: number }) => number | undefined): number | undefined => {
      const sum = (list: typeof before) => list.reduce<number | undefined>((acc, m) => (acc === undefined || pick(m) === undefined ? undefined : acc + pick(m)!), 0);
      const [b, a] = [sum(before), sum(after)];
      return b === undefined || a === undefined ? undefined : (a - b) / held;
    };

    log(`${target.label}: rls, PUBLISH at ${config.rate}/s for ${config.durationS} s`);
    const cpuBefore = await targetCpuSeconds(target);
    counting = true;
    const intervalMs = 1000 / config.rate;
    const started = performance.now();
    let publishes = 0;
    let owedParts = 0;
    const inFlight: Promise<void>[] = [];
    while (performance.now() - started < config.durationS * 1000) {
      const n = publishes % presentities;
      owedParts += owed[n]!;
      inFlight.push(publishOnce(n).catch(() => undefined));
      publishes++;
      const due = started + publishes * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await Promise.all(inFlight);
    await new Promise((resolve) => setTimeout(resolve, config.drainS * 1000));
    counting = false;
    const cpuAfter = await targetCpuSeconds(target);
    const elapsedS = (performance.now() - started) / 1000 - config.drainS;
    await publisher.close();
    await watcherChannel.close();
    return {
      label: target.label,
      shape,
      listSize,
      watchers: config.watchers,
      presentities,
      publishes,
      notifies,
      notifyPerSecond: notifies / Math.max(elapsedS, 0.001),
      bytesPerNotify: notifies === 0 ? 0 : notifyBytes / notifies,
      p99Ms: latency.percentileMs(99),
      deliveredPct: owedParts === 0 ? 100 : (100 * Math.min(partsDelivered, owedParts)) / owedParts,
      heapBytesPerMember: growth((m) => m.heapUsedBytes),
      rssBytesPerMember: growth((m) => m.rssBytes),
      cpuMsPerPublish: cpuBefore === undefined || cpuAfter === undefined || publishes === 0 ? undefined : ((cpuAfter - cpuBefore) * 1000) / publishes,
      notifyBytesPerPublish: publishes === 0 ? 0 : notifyBytes / publishes,
    };
  } finally {
    registered();
    log(`stopping ${target.label}...`);
    await target.stop();
  }
}
