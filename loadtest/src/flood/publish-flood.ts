import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { statFields } from '../probes/process-tree.js';
import { LatencyHistogram, type LatencySummary } from '../stats/latency-histogram.js';

export interface FloodConfig {
  /** Distinct source addresses: 127.0.0.1, 127.0.0.2, … (Linux routes all of 127/8 to loopback). */
  readonly sources: number;
  /** PUBLISHes per second, all sources together. */
  readonly rate: number;
  readonly durationS: number;
  /** How long answers are waited for after the last PUBLISH. */
  readonly drainS: number;
  readonly server: { readonly port: number; readonly pid: number };
}

export interface FloodResult {
  readonly sent: number;
  /** Final answers by status code. */
  readonly codes: Readonly<Record<string, number>>;
  readonly unanswered: number;
  /** PUBLISH to final answer, answered ones only. */
  readonly latency: LatencySummary;
  /** The server's resident set at the end of the flood and at its peak (VmRSS, VmHWM). */
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** The server's CPU (user + system) from the first PUBLISH to the end of the drain; undefined without /proc. */
  readonly serverCpuSeconds: number | undefined;
}

const TICK_MS = 5;
const PIDF = (entity: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t"><status><basic>open</basic></status></tuple></presence>\r\n`;

/**
 * A PUBLISH flood as the issue measured it: every request an initial PUBLISH
 * of a new presentity (new state each, so nothing is absorbed), paced at
 * `rate` from `sources` addresses over UDP, never retransmitted. Records the
 * time to each final answer and the server's memory.
 */
export async function runPublishFlood(config: FloodConfig): Promise<FloodResult> {
  const sockets = await Promise.all(Array.from({ length: config.sources }, (_, i) => bindSource(i)));
  const sentAt = new Map<string, number>();
  const codes: Record<string, number> = {};
  const latency = new LatencyHistogram();
  for (const socket of sockets) {
    socket.on('message', (data) => {
      const text = data.toString('latin1');
      const status = /^SIP\/2\.0 (\d{3})/.exec(text)?.[1];
      const callId = /\r\nCall-ID: *([^\r]+)/i.exec(text)?.[1];
      if (status === undefined || callId === undefined || status < '200') return;
      const at = sentAt.get(callId);
      if (at === undefined) return;
      sentAt.delete(callId);
      latency.recordMs(performance.now() - at);
      codes[status] = (codes[status] ?? 0) + 1;
    });
  }
  const cpuBefore = await cpuSeconds(config.server.pid);
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < config.durationS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * config.rate);
    for (; sent < due; sent++) {
      const socket = sockets[sent % sockets.length]!;
      const callId = `flood-${sent}`;
      sentAt.set(callId, performance.now());
      socket.send(initialPublish(socket, sent), config.server.port, '127.0.0.1');
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  const rssBytes = await statusBytes(config.server.pid, 'VmRSS');
  await new Promise((resolve) => setTimeout(resolve, config.drainS * 1000));
  const peakRssBytes = await statusBytes(config.server.pid, 'VmHWM');
  const cpuAfter = await cpuSeconds(config.server.pid);
  const serverCpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  return { sent, codes, unanswered: sentAt.size, latency: latency.summary(), rssBytes, peakRssBytes, serverCpuSeconds };
}

/** A UDP socket on the index-th source address (127.0.0.1, 127.0.0.2, …). */
export async function bindSource(index: number): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, `127.0.${Math.floor(index / 250)}.${1 + (index % 250)}`);
  await once(socket, 'listening');
  return socket;
}

/** The flood's request: an initial PUBLISH of new presentity n (Call-ID flood-n), sent from `socket`. */
export function initialPublish(socket: Socket, n: number): string {
  const { address, port } = socket.address();
  const entity = `sip:flood${n}@example.com`;
  const body = PIDF(entity);
  return (
    `PUBLISH ${entity} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${address}:${port};branch=z9hG4bKflood${n};rport\r\n` +
    `Max-Forwards: 70\r\nFrom: <${entity}>;tag=f${n}\r\nTo: <${entity}>\r\nCall-ID: flood-${n}\r\nCSeq: 1 PUBLISH\r\n` +
    `Event: presence\r\nExpires: 60\r\nContent-Type: application/pidf+xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** A size line of /proc/PID/status (kB) in bytes; 0 when unreadable. */
async function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** utime + stime of one process (fields 14 and 15 of /proc/PID/stat, 1/100 s ticks). */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  const fields = await statFields(pid);
  return fields === undefined ? undefined : (Number(fields[11]) + Number(fields[12])) / 100;
}
