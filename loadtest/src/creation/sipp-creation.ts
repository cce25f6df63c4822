import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@presence/dev-tools';
import { stopOnAbort } from '../modes/abort-cleanup.js';
import { unexpectedMessages } from '../sipp/sipp-log.js';
import { LogTail, SippProcess } from '../sipp/sipp-process.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { Endpoint } from '../transport/channel.js';
import type { CreationStep, CreationWorkload } from './creation-step.js';

export interface SippCreationStepOptions {
  readonly workload: CreationWorkload;
  readonly target: Endpoint;
  readonly localHost: string;
  /** Unique per step: SIPp numbers calls from 1 in every process, and the AORs are <prefix>-<call>. */
  readonly prefix: string;
  /** subscribe-setup: the presentities the new dialogs watch, in turn. */
  readonly presentities: readonly string[];
  readonly timeoutMs: number;
  /** Where the field file, logs and statistics go. */
  readonly workDir: string;
}

/** Slack on top of window + timeout for SIPp's start and its last statistics row. */
const START_SLACK_MS = 2_000;

/**
 * One step of loadtest/sipp/publish-new.xml or subscribe-setup.xml: a SIPp
 * process starting round(rate × durationS) calls at `rate` (-r), as many
 * open at once as it likes (-l), stopped once every call ended or the
 * window plus `timeoutMs` passed. Completions come from its log lines,
 * attempts, failures and retransmissions from its statistics.
 */
export async function runSippCreationStep(options: SippCreationStepOptions, rate: number, durationS: number): Promise<CreationStep> {
  const calls = Math.max(1, Math.round(rate * durationS));
  const windowS = calls / rate;
  const base = join(options.workDir, options.prefix);
  const args = ['-m', String(calls), '-l', String(calls), '-r', String(rate), '-set', 'run', options.prefix];
  if (options.workload === 'subscribe-setup') {
    await writeFile(`${base}.csv`, `${['SEQUENTIAL', ...options.presentities].join('\n')}\n`);
    args.push('-inf', `${base}.csv`);
  }
  args.push('-t', 'u1', '-i', options.localHost, '-p', String(await freePort('udp')), `${options.target.host}:${options.target.port}`);
  const sipp = SippProcess.start(`sipp ${options.workload} ${options.prefix}`, options.workload, base, args);
  const unregister = stopOnAbort(() => sipp.stop());
  const tail = new LogTail(sipp.logFile);
  const setup = new LatencyHistogram();
  let rejected = 0;
  const read = async (): Promise<void> => {
    for (const line of await tail.readLines()) {
      if (line.kind === 'created') setup.recordMs(line.doneMs - line.sentMs);
      else if (line.kind === 'rejected') rejected++;
    }
  };
  const startedAt = Date.now();
  const deadline = startedAt + windowS * 1000 + options.timeoutMs + START_SLACK_MS;
  let cpuSeconds = 0;
  try {
    while (sipp.running && Date.now() < deadline) {
      await sipp.waitExit(500);
      cpuSeconds = (await sipp.cpuSeconds()) ?? cpuSeconds;
      await read();
    }
  } finally {
    await sipp.stop();
    unregister();
  }
  await read();
  const stats = await sipp.stats();
  if (stats['OutgoingCall(C)'] === undefined) throw new Error(`SIPp wrote no statistics: ${sipp.describe()}`);
  const attempted = stats['OutgoingCall(C)'];
  const otherFailures = Math.max(0, (stats['FailedCall(C)'] ?? 0) - (stats['FailedMaxUDPRetrans(C)'] ?? 0) - rejected);
  const errorCodes: Record<string, number> = {};
  if (rejected > 0) errorCodes['503'] = rejected;
  if (otherFailures > 0) {
    // Named by SIPp's error file where it says (expected X, got Y); the rest stay "unexpected".
    const named = unexpectedMessages(await readFile(`${base}-errors.log`, 'utf8').catch(() => ''));
    let left = otherFailures;
    for (const [what, n] of Object.entries(named)) {
      const counted = Math.min(n, left);
      if (counted > 0) errorCodes[what] = counted;
      left -= counted;
    }
    if (left > 0) errorCodes['unexpected'] = left;
  }
  const wallS = (Date.now() - startedAt) / 1000;
  return {
    targetRate: rate,
    windowS,
    attempted,
    completed: setup.count,
    errorCodes,
    unfinished: Math.max(0, attempted - setup.count - rejected - otherFailures),
    retransmissions: stats['Retransmissions(C)'] ?? 0,
    setup: setup.summary(),
    generatorCpuPctMax: wallS > 0 ? (cpuSeconds * 100) / wallS : 0,
  };
}
