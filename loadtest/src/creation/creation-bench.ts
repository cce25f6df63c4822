import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig, GeneratorName, TargetMode } from '../cli/bench-config.js';
import { stopOnAbort } from '../modes/abort-cleanup.js';
import { targetCpuSeconds } from '../probes/process-cpu.js';
import { LOCAL_SERVER_HOST, serverArgsLine, signalServers, type BenchTarget } from '../targets/bench-target.js';
import { startKamailioTarget } from '../targets/kamailio-target.js';
import { startTarget } from '../targets/start-target.js';
import { newRunId } from '../worker/workload-grid.js';
import { completedPerSecond, cpuMicrosPerOperation, ISSUE_LIMITS, rampRates, rampUntilFailure, type CreationStep, type CreationWorkload, type RampOutcome } from './creation-step.js';
import { NativeCreationGenerator } from './native-creation.js';
import { runSippCreationStep } from './sipp-creation.js';

/** One creation workload's ramp against one target with one generator. */
export interface CreationTargetResult {
  readonly workload: CreationWorkload;
  readonly mode: TargetMode;
  readonly generatedBy: GeneratorName;
  readonly label: string;
  readonly ramp: RampOutcome;
}

export type Log = (line: string) => void;

/** Source ports of the native generator: a handful, as a few phones behind one address would use. */
const NATIVE_SOCKETS = 4;
/** Kamailio keeps every dialog and publication in shared memory: sized for the ramp's total, up to this many. */
const KAMAILIO_STATE_CAP = 1_000_000;

/**
 * Starts the target, ramps the workload from config.creation.startRate by
 * config.creation.factor until a step fails (the issue's held step: < 1 %
 * failed, ≥ 95 % of the rate), each step against the state the earlier
 * ones left (publications and dialogs are not removed), then stops it.
 */
export async function runCreationAgainstMode(workload: CreationWorkload, mode: TargetMode, config: BenchConfig, log: Log, generator: GeneratorName): Promise<CreationTargetResult> {
  log(`starting ${mode} for ${workload} (${generator})...`);
  const target = mode === 'kamailio' ? await startKamailioTarget(kamailioLoad(workload, config)) : await startTarget(mode, config);
  const registered = stopOnAbort(() => target.stop());
  const argsLine = serverArgsLine(target);
  if (argsLine !== undefined) log(argsLine);
  const label = config.generator === 'native' ? target.label : `${target.label} (${generator})`;
  try {
    // --server-cpu-prof: as for the fan-out, <pid>-1 = start, <pid>-2 = the steps, <pid>-3 = shutdown.
    const profiling = config.serverCpuProfileDir !== undefined;
    if (profiling) signalServers(target);
    const ramp = await rampAgainst(workload, target, config, log, generator, label);
    if (profiling) signalServers(target);
    return { workload, mode, generatedBy: generator, label, ramp };
  } finally {
    log(`stopping ${target.label}...`);
    await target.stop();
    registered();
  }
}

async function rampAgainst(workload: CreationWorkload, target: BenchTarget, config: BenchConfig, log: Log, generator: GeneratorName, label: string): Promise<RampOutcome> {
  const endpoint = target.endpoints('udp')[0]!;
  const runId = newRunId();
  const domain = config.domain ?? (target.kind === 'external' ? endpoint.host : LOCAL_SERVER_HOST);
  const timeoutMs = config.timeoutS * 1000;
  const presentityUsers = Array.from({ length: config.presentities }, (_, p) => `${runId}-p${p}`);
  const native =
    generator === 'native'
      ? await NativeCreationGenerator.open(endpoint, { workload, runId, domain, localHost: config.localHost, presentities: config.presentities, expires: config.expires, t1Ms: 500, timeoutMs, sockets: NATIVE_SOCKETS })
      : undefined;
  const workDir = generator === 'sipp' ? await mkdtemp(join(tmpdir(), 'bench-creation-')) : undefined;
  let index = 0;
  const runStep = async (rate: number): Promise<CreationStep> => {
    log(`${label}: ${workload} step ${index} at ${rate}/s for ${config.durationS} s...`);
    const before = await targetCpuSeconds(target);
    const step =
      native !== undefined
        ? await native.step(rate, config.durationS)
        : await runSippCreationStep({ workload, target: endpoint, localHost: config.localHost, prefix: `${runId}s${index}`, presentities: presentityUsers, timeoutMs, workDir: workDir! }, rate, config.durationS);
    index++;
    const after = await targetCpuSeconds(target);
    const measured = before === undefined || after === undefined ? step : { ...step, serverCpuSeconds: after - before };
    const cpu = cpuMicrosPerOperation(measured);
    log(
      `  → ${measured.completed}/${measured.attempted} completed (${completedPerSecond(measured).toFixed(0)}/s), p99 ${measured.setup.p99Ms.toFixed(1)} ms, retransmissions ${measured.retransmissions}` +
        (cpu === undefined ? '' : `, server CPU ${cpu.toFixed(0)} µs each`),
    );
    return measured;
  };
  try {
    return await rampUntilFailure({ startRate: config.creation.startRate, maxRate: config.findMax.maxRate, factor: config.creation.factor }, ISSUE_LIMITS, runStep);
  } finally {
    await native?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  }
}

/** The reference's shared memory, sized for every dialog or publication the whole ramp could leave behind. */
function kamailioLoad(workload: CreationWorkload, config: BenchConfig): { subscriptions: number; publishRate: number; watchers: number } {
  const rates = rampRates({ startRate: config.creation.startRate, maxRate: config.findMax.maxRate, factor: config.creation.factor });
  const total = rates.reduce((sum, rate) => sum + rate * config.durationS, 0);
  const topRate = rates.at(-1) ?? config.creation.startRate;
  // Each new dialog is a SUBSCRIBE and a NOTIFY transaction: one "watcher" per request in the sizing's terms.
  return { subscriptions: Math.min(KAMAILIO_STATE_CAP, Math.ceil(total)), publishRate: topRate, watchers: workload === 'subscribe-setup' ? 1 : 0 };
}
