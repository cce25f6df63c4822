import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Children, freePort, freeUdpTcpPort, metricValue, startPresenceProcess, ALLOW_EVERY_WATCHER_ARGS } from '@presence/dev-tools';
import { runPublishFlood, type FloodResult } from './flood/publish-flood.js';
import { withServerPreload } from './targets/bench-target.js';

/**
 * `npm run flood -- [--sources N] [--rate R] [--duration S] [--server-args "..."] [--server-cpu-prof DIR]`:
 * starts `presence standalone` (UDP, --auth none) with the server arguments
 * given, floods it with initial PUBLISHes over UDP (new presentities, no
 * watchers) and prints how they were answered, answer latency, the server's
 * CPU µs per answered PUBLISH (the figure that holds on a shared machine),
 * its RSS, and what its rate limit and overload mode did. `--server-args "--rate-limit 0
 * --overload-pending 0 --overload-event-loop-lag 0"` gives the unprotected
 * server (the figure before).
 */
const USAGE = 'usage: npm run flood -- [--sources N (1)] [--rate PUBLISH/s (5000)] [--duration S (10)] [--drain S (5)] [--server-args "ARGS"] [--server-cpu-prof DIR]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sources: { type: 'string', default: '1' },
      rate: { type: 'string', default: '5000' },
      duration: { type: 'string', default: '10' },
      drain: { type: 'string', default: '5' },
      'server-args': { type: 'string', default: '' },
      'server-cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const number = (name: 'sources' | 'rate' | 'duration' | 'drain', max: number): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0 || value > max) throw new Error(`--${name}: "${values[name]}" is not a number in (0, ${max}]`);
    return value;
  };
  const sources = Math.round(number('sources', 60_000));
  const serverArgs = values['server-args'].split(/\s+/).filter((arg) => arg !== '');
  const children = new Children();
  const sip = await freeUdpTcpPort();
  const httpPort = await freePort('tcp');
  const profileDir = values['server-cpu-prof'] === undefined ? undefined : resolve(values['server-cpu-prof']);
  // The preload writes the server's CPU profile at its exit when DIR is given.
  const server = await withServerPreload(profileDir, () =>
    startPresenceProcess(children, 'standalone', 'flood-target', httpPort, [
      '--listen', `udp:127.0.0.1:${sip}`, '--auth', 'none', ...ALLOW_EVERY_WATCHER_ARGS, '--log-level', 'error', ...serverArgs,
    ]),
  );
  try {
    const result = await runPublishFlood({ sources, rate: number('rate', 1e6), durationS: number('duration', 3600), drainS: number('drain', 600), server: { port: sip, pid: server.child.process.pid! } });
    const metrics = await server.metrics();
    const sum = (name: string) => [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((total, m) => total + Number(m[1]), 0);
    process.stdout.write(`${report(sources, serverArgs, result, { rateLimited: sum('presence_rate_limited_total'), overloadRefusals: sum('presence_overload_refusals_total'), overloadEntries: sum('presence_overload_entries_total'), shed: metricValue(metrics, 'presence_sip_responses_total', { method: 'PUBLISH', code: '503' }) ?? 0 })}\n`);
  } finally {
    await server.stop(15_000).catch(() => null);
    await children.killAll();
  }
}

function report(sources: number, serverArgs: readonly string[], r: FloodResult, server: Record<string, number>): string {
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  const codes = Object.entries(r.codes).map(([code, n]) => `${code}:${n}`).join(' ');
  return [
    `server args: ${serverArgs.join(' ') || '(defaults)'}; sources: ${sources}`,
    `sent ${r.sent} PUBLISH; answered ${codes || 'none'}; unanswered ${r.unanswered}`,
    `server CPU ${r.serverCpuSeconds === undefined ? '-' : `${((r.serverCpuSeconds * 1e6) / Math.max(1, r.codes['200'] ?? 0)).toFixed(0)} µs per PUBLISH answered 200 (${r.serverCpuSeconds.toFixed(2)} s)`}`,
    `answer latency p50 ${r.latency.p50Ms.toFixed(1)} ms, p99 ${r.latency.p99Ms.toFixed(1)} ms, max ${r.latency.maxMs.toFixed(1)} ms`,
    `server RSS at end of flood ${mb(r.rssBytes)}, peak ${mb(r.peakRssBytes)}`,
    `server: rate limited ${server.rateLimited}, overload refusals ${server.overloadRefusals} (entered ${server.overloadEntries}x), PUBLISH 503s sent ${server.shed}`,
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`flood: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
