import dgram from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, type EventLoopUtilization, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

/**
 * The server's own delays, measured inside a presence process the bench
 * started (loaded by server-preload.ts when PRESENCE_BENCH_LATENCY_DIR is
 * set): on a box shared with other work the generator's PUBLISH→NOTIFY p99
 * also says how late the generator's processes were scheduled, this says
 * what the server itself held. Per window (from one SIGUSR2 of the bench to
 * the next, and the last to exit) one JSON line in `<dir>/<pid>.jsonl`:
 *
 * - `readToSend`: for each NOTIFY sent over UDP, the time from the read of
 *   the PUBLISH whose timestamp note (`lt-ts=`, the bench publisher's) its
 *   body carries to the `send` call, percentiles in ms; `arrival`: the
 *   PUBLISH's read minus the time the publisher wrote in it (the generator,
 *   the kernel's queue and the server's scheduling before the read);
 * - `turnHops` (only with PRESENCE_BENCH_LATENCY_TURNS=1): event-loop turns
 *   (check phases) from the PUBLISH's read to each NOTIFY's send, counted by
 *   a setImmediate that re-arms itself for a second after each PUBLISH: the
 *   loop then never sleeps, so read nothing else from such a run;
 * - `loopDelay`: perf_hooks' event-loop delay (how late a 10 ms timer ran:
 *   turns that ran long, and the process waiting for a core);
 * - `gc`: pauses by kind, the longest, and each pause of 5 ms or more;
 * - `elu`: event-loop utilisation over the window.
 *
 * Reading every datagram's first bytes costs the server a little CPU: use it
 * for latency, not for CPU figures.
 */
const MARK = Buffer.from('lt-ts=');
const PUBLISH = Buffer.from('PUBLISH ');
const NOTIFY = Buffer.from('NOTIFY ');
/** PUBLISH reads remembered at most; past it the oldest are forgotten (a NOTIFY after that long is not the question). */
const MAX_REMEMBERED = 50_000;
const LONG_GC_MS = 5;

export function startLatencyTrace(dir: string, countTurns: boolean): void {
  const file = join(dir, `${process.pid}.jsonl`);
  const readAt = new Map<string, number>();
  const readTurn = new Map<string, number>();
  const readCpu = new Map<string, number>();
  let cpuToSend: number[] = [];
  let turnHops: number[] = [];
  let turns = 0;
  let lastPublishAt = 0;
  let spinning = false;
  const spin = (): void => {
    turns++;
    if (performance.now() - lastPublishAt < 1000) setImmediate(spin);
    else spinning = false;
  };
  let readToSend: number[] = [];
  let arrival: number[] = [];
  let unmatched = 0;
  let gcPauses: { kind: number; ms: number; at: number }[] = [];
  let windowStart = performance.now();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let ignoreGcBefore = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const mark = (data: Buffer): string | undefined => {
    const at = data.indexOf(MARK);
    if (at < 0) return undefined;
    let end = at + MARK.length;
    while (end < data.length && ((data[end]! >= 48 && data[end]! <= 57) || data[end] === 46)) end++;
    return data.toString('latin1', at + MARK.length, end);
  };

  const emit = dgram.Socket.prototype.emit;
  dgram.Socket.prototype.emit = function (this: dgram.Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && Buffer.isBuffer(args[0]) && args[0].subarray(0, PUBLISH.length).equals(PUBLISH)) {
      const ts = mark(args[0]);
      if (ts !== undefined) {
        const now = performance.now();
        if (readAt.size >= MAX_REMEMBERED) {
          const oldest = readAt.keys().next().value!;
          readAt.delete(oldest);
          readTurn.delete(oldest);
          readCpu.delete(oldest);
        }
        readAt.set(ts, now);
        readTurn.set(ts, turns);
        readCpu.set(ts, cpuMicros());
        lastPublishAt = now;
        if (countTurns && !spinning) {
          spinning = true;
          setImmediate(spin);
        }
        arrival.push(performance.timeOrigin + now - Number(ts));
      }
    }
    return (emit as (this: dgram.Socket, ...a: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof emit;

  const send = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]): void {
    const data = args[0];
    if (Buffer.isBuffer(data) && data.subarray(0, NOTIFY.length).equals(NOTIFY)) {
      const ts = mark(data);
      const read = ts === undefined ? undefined : readAt.get(ts);
      if (read !== undefined) {
        readToSend.push(performance.now() - read);
        turnHops.push(turns - readTurn.get(ts!)!);
        cpuToSend.push((cpuMicros() - readCpu.get(ts!)!) / 1000);
      }
      else if (ts !== undefined) unmatched++;
    }
    return (send as (...a: unknown[]) => void).apply(this, args);
  } as typeof send;

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < ignoreGcBefore) continue;
      gcPauses.push({ kind: ((entry as { detail?: { kind?: number } }).detail)?.kind ?? 0, ms: entry.duration, at: entry.startTime });
    }
  }).observe({ entryTypes: ['gc'] });

  const cut = (reason: string): void => {
    const now = performance.now();
    const byKind: Record<string, { count: number; ms: number }> = {};
    for (const pause of gcPauses) {
      const kind = GC_KINDS[pause.kind] ?? String(pause.kind);
      const slot = (byKind[kind] ??= { count: 0, ms: 0 });
      slot.count++;
      slot.ms = round(slot.ms + pause.ms);
    }
    const line = {
      pid: process.pid,
      reason,
      windowMs: round(now - windowStart),
      readToSend: { count: readToSend.length, unmatched, ...percentiles(readToSend) },
      cpuToSend: percentiles(cpuToSend),
      turnHops: percentiles(turnHops),
      arrival: { count: arrival.length, ...percentiles(arrival) },
      loopDelay: { p50: round(loopDelay.percentile(50) / 1e6), p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) },
      gc: {
        count: gcPauses.length,
        ms: round(gcPauses.reduce((sum, p) => sum + p.ms, 0)),
        max: round(Math.max(0, ...gcPauses.map((p) => p.ms))),
        byKind,
        long: gcPauses.filter((p) => p.ms >= LONG_GC_MS).map((p) => ({ kind: GC_KINDS[p.kind] ?? p.kind, ms: round(p.ms), atMs: round(p.at - windowStart) })),
      },
      admissionWait: { ...percentiles((globalThis as { __admissionWaits?: number[] }).__admissionWaits ?? []) },
      admissionStarts: { ...percentiles((globalThis as { __admissionStarts?: number[] }).__admissionStarts ?? []), turnsWithQueue: ((globalThis as { __admissionStarts?: number[] }).__admissionStarts ?? []).length },
      elu: round(performance.eventLoopUtilization(elu).utilization),
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
    readToSend = [];
    turnHops = [];
    cpuToSend = [];
    (globalThis as { __admissionWaits?: number[] }).__admissionWaits = [];
    (globalThis as { __admissionStarts?: number[] }).__admissionStarts = [];
    arrival = [];
    unmatched = 0;
    gcPauses = [];
    loopDelay.reset();
    elu = performance.eventLoopUtilization();
    windowStart = now;
  };
  // After the preload's own SIGUSR2 work (a forced GC): its pause belongs to no window.
  process.on('SIGUSR2', () => {
    ignoreGcBefore = performance.now();
    cut('SIGUSR2');
  });
  process.on('exit', () => cut('exit'));
}

const GC_KINDS: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks' };

/** The process's CPU time so far (user + system, every thread), µs. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function percentiles(values: number[]): { p50?: number; p90?: number; p99?: number; p999?: number; max?: number } {
  if (values.length === 0) return {};
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: round(sorted[sorted.length - 1]!) };
}
