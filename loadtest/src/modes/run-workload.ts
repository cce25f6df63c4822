import type { BenchConfig, GeneratorName, TargetMode } from '../cli/bench-config.js';
import { LoadSession, type GeneratorSession, type StepSummary, type SubscribeSummary } from '../coordinator/load-session.js';
import { readProcessMemory } from '../probes/process-memory.js';
import { cpuDelta, sumCpu, targetCpuByProcess, type CpuByProcess } from '../probes/process-cpu.js';
import { readRedisMemory } from '../probes/redis-info.js';
import { SippSession } from '../sipp/sipp-session.js';
import { counterDelta, readServerCounters, type ServerCounters } from '../probes/server-counters.js';
import type { WorkerHealth } from '../stats/phase-stats.js';
import { LOCAL_SERVER_HOST, serverArgsLine, signalServers, type BenchTarget } from '../targets/bench-target.js';
import { benchUsers, type BenchUsers } from '../targets/bench-users.js';
import { startTarget } from '../targets/start-target.js';
import type { UnsubscribeResult } from '../worker/protocol.js';
import { newRunId } from '../worker/workload-grid.js';
import { sleep } from '@presence/dev-tools';
import { stopOnAbort } from './abort-cleanup.js';
import { findMaxRate, judgeStep, type FindMaxOutcome } from './find-max.js';
import { memoryPerSubscription, type MemoryCost, type MemoryReading } from './memory-per-subscription.js';

export interface JudgedStep {
  readonly summary: StepSummary;
  readonly held: boolean;
  readonly reasons: readonly string[];
}

/** Everything measured against one target. */
export interface TargetResult {
  readonly mode: TargetMode;
  /** Who sent the traffic (`generator` is that generator's health). */
  readonly generatedBy: GeneratorName;
  readonly label: string;
  readonly workers: number;
  readonly subscribe: SubscribeSummary;
  /** CPU seconds of every target process over the subscribe phase (REGISTERs, SUBSCRIBEs, initial NOTIFYs); undefined without /proc. */
  readonly subscribeCpuSeconds?: number;
  /** The same per target process (children included), NATS and Redis by name. */
  readonly subscribeCpuByProcess?: CpuByProcess;
  /** The untimed round before the steps (--warmup); not judged. */
  readonly warmup?: StepSummary;
  readonly steps: readonly JudgedStep[];
  readonly findMax?: Omit<FindMaxOutcome, 'steps'>;
  readonly memory: { readonly baseline: MemoryReading; readonly afterSubscribe: MemoryReading; readonly end: MemoryReading };
  readonly memoryCost: MemoryCost;
  /** Server counters over the PUBLISH steps (drains included). */
  readonly server?: ServerCounters;
  readonly unsubscribe?: UnsubscribeResult;
  readonly generator: WorkerHealth;
}

export type Log = (line: string) => void;

/** Starts the target for `mode`, runs the configured workload against it, stops it. */
export async function runAgainstMode(mode: TargetMode, config: BenchConfig, log: Log, generator: GeneratorName = 'native'): Promise<TargetResult> {
  const runId = newRunId();
  // The servers the bench starts listen on LOCAL_SERVER_HOST, the AORs' domain unless --domain.
  const domain = config.domain ?? LOCAL_SERVER_HOST;
  const users = config.auth === 'digest' ? benchUsers(runId, domain, config.presentities, config.watchers) : undefined;
  const presRules = config.presRules === 'allow-domain' ? { runId, domain, presentities: config.presentities } : undefined;
  log(
    `starting ${mode}${users === undefined ? '' : ` with digest authentication and ${users.presentities + users.subscriptions} users`}` +
      `${presRules === undefined ? '' : `, pres-rules allowing ${domain} for ${presRules.presentities} presentities`}...`,
  );
  const target = await startTarget(mode, config, users, presRules);
  const registered = stopOnAbort(() => target.stop());
  const argsLine = serverArgsLine(target);
  if (argsLine !== undefined) log(argsLine);
  try {
    return await runWorkload(target, mode, generator, config, runId, users, log);
  } finally {
    log(`stopping ${target.label}...`);
    await target.stop();
    registered();
  }
}

async function runWorkload(
  target: BenchTarget,
  mode: TargetMode,
  generator: GeneratorName,
  config: BenchConfig,
  runId: string,
  users: BenchUsers | undefined,
  log: Log,
): Promise<TargetResult> {
  const endpoints = target.endpoints(config.transport);
  const profiling = config.serverCpuProfileDir !== undefined;
  const readMemory = (): Promise<MemoryReading> => readTargetMemory(target, !profiling);
  const baseline = await readMemory();
  const subscriptions = config.presentities * config.watchers;
  log(`${target.label}: ${config.presentities} presentities × ${config.watchers} watchers = ${subscriptions} subscriptions over ${config.transport} to ${endpoints.map((e) => `${e.host}:${e.port}`).join(', ')}`);
  const session = await openSession(generator, endpoints, config, runId, users, log);
  // Labels say who generated the traffic once a run has more than the native generator.
  const label = (config.generator === 'native' ? target.label : `${target.label} (${generator})`) + (config.watcherProfile === undefined ? '' : ` [${config.watcherProfile}]`);
  try {
    const cpuBeforeSubscribe = await targetCpuByProcess(target);
    const subscribe = await session.subscribe();
    const cpuAfterSubscribe = await targetCpuByProcess(target);
    const subscribeCpuByProcess = cpuBeforeSubscribe === undefined || cpuAfterSubscribe === undefined ? undefined : cpuDelta(cpuBeforeSubscribe, cpuAfterSubscribe);
    const subscribeCpuSeconds = subscribeCpuByProcess === undefined ? undefined : sumCpu(subscribeCpuByProcess);
    log(
      `subscribed ${subscribe.subscribed}/${subscriptions} in ${(subscribe.durationMs / 1000).toFixed(2)} s (${subscribe.subscribesPerSecond.toFixed(0)}/s)` +
        `, failed ${subscribe.subscribeFailed}, timeouts ${subscribe.subscribeTimeouts}, initial NOTIFYs ${subscribe.initialNotifies}` +
        (config.register ? `, registered ${subscribe.registerOk}` : '') +
        (users === undefined ? '' : `, 401s answered ${subscribe.challengesAnswered}`) +
        (subscribeCpuSeconds === undefined ? '' : `, server CPU ${subscribeCpuSeconds.toFixed(2)} s`) +
        // Per process (NATS and Redis by name), so each hop's µs per SUBSCRIBE shows.
        (subscribeCpuByProcess === undefined || Object.keys(subscribeCpuByProcess).length < 2 ? '' : ` (${cpuPerSubscription(subscribeCpuByProcess, subscribe.subscribed)})`),
    );
    // Memory mode waits out the transactions the subscribe phase left behind (see BenchConfig.memory.settleS).
    if (config.run === 'memory') log(`waiting ${config.memory.settleS} s before reading memory...`);
    await sleep(config.run === 'memory' ? config.memory.settleS * 1000 : 500);
    const afterSubscribe = await readMemory();
    const warmup = await warmUp(session, config, log);
    const countersBefore = await readServerCounters(target.probes);
    // Profiles: <pid>-1 = start + subscribe phase, <pid>-2 = the PUBLISH steps, <pid>-3 = shutdown.
    if (profiling) signalServers(target);
    const { steps, findMax } = await runSteps(session, config, log, warmup === undefined ? 0 : 1, () => targetCpuByProcess(target));
    if (profiling) signalServers(target);
    const server = counterDelta(countersBefore, await readServerCounters(target.probes));
    const end = await readMemory();
    const unsubscribe = config.unsubscribe ? await session.unsubscribe() : undefined;
    return {
      mode,
      generatedBy: generator,
      label,
      workers: session.workers,
      subscribe,
      ...(subscribeCpuSeconds === undefined ? {} : { subscribeCpuSeconds }),
      ...(subscribeCpuByProcess === undefined ? {} : { subscribeCpuByProcess }),
      ...(warmup === undefined ? {} : { warmup }),
      steps,
      ...(findMax === undefined ? {} : { findMax }),
      memory: { baseline, afterSubscribe, end },
      memoryCost: memoryPerSubscription(baseline, afterSubscribe, subscribe.subscribed),
      ...(server === undefined ? {} : { server }),
      ...(unsubscribe === undefined ? {} : { unsubscribe }),
      generator: await session.health(),
    };
  } finally {
    await session.close();
  }
}

/** The untimed round that gives every presentity its publication (--warmup); step index 0 when it runs. */
async function warmUp(session: GeneratorSession, config: BenchConfig, log: Log): Promise<StepSummary | undefined> {
  if (config.run === 'memory' || config.warmupS === 0) return undefined;
  log(`warm-up: PUBLISH at ${config.rate}/s for ${config.warmupS} s (not judged)...`);
  const warmup = await session.step(0, config.rate, config.warmupS, config.drainS);
  log(
    `  → accepted ${warmup.publishAccepted}, errors ${warmup.publishErrors}, timeouts ${warmup.publishTimeouts}, NOTIFY ${warmup.notifyPerSecond.toFixed(0)}/s` +
      (config.auth === 'digest' ? `, 401s answered ${warmup.challengesAnswered}` : ''),
  );
  return warmup;
}

async function runSteps(
  session: GeneratorSession,
  config: BenchConfig,
  log: Log,
  firstIndex: number,
  cpuByProcess: () => Promise<CpuByProcess | undefined>,
): Promise<{ steps: JudgedStep[]; findMax?: Omit<FindMaxOutcome, 'steps'> }> {
  const { p99LimitMs, errorLimitPct, deliveryLimitPct } = config.findMax;
  const limits = { p99LimitMs, errorLimitPct, deliveryLimitPct };
  let index = firstIndex;
  const runStep = async (rate: number): Promise<StepSummary> => {
    log(`PUBLISH step ${index} at ${rate}/s for ${config.durationS} s...`);
    const cpuBefore = await cpuByProcess();
    const startedAt = performance.now();
    const summary = await session.step(index++, rate, config.durationS, config.drainS);
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const cpuAfter = await cpuByProcess();
    if (cpuBefore === undefined || cpuAfter === undefined) return summary;
    const byProcess = cpuDelta(cpuBefore, cpuAfter);
    return { ...summary, serverCpu: { cpuSeconds: sumCpu(byProcess), wallSeconds, byProcess } };
  };
  switch (config.run) {
    case 'memory':
      return { steps: [] };
    case 'bench': {
      const summary = await runStep(config.rate);
      return { steps: [{ summary, ...judgeStep(summary, limits) }] };
    }
    case 'find-max': {
      const outcome = await findMaxRate({ ...limits, startRate: config.rate, maxRate: config.findMax.maxRate, ramp: config.findMax.ramp, refine: config.findMax.refine }, async (rate) => {
        const summary = await runStep(rate);
        const verdict = judgeStep(summary, limits);
        log(`  → ${verdict.held ? 'held' : `failed: ${verdict.reasons.join('; ')}`}`);
        return summary;
      });
      return { steps: [...outcome.steps], findMax: { maxHeldRate: outcome.maxHeldRate, firstFailedRate: outcome.firstFailedRate } };
    }
  }
}

function openSession(
  generator: GeneratorName,
  endpoints: ReturnType<BenchTarget['endpoints']>,
  config: BenchConfig,
  runId: string,
  users: BenchUsers | undefined,
  log: Log,
): Promise<GeneratorSession> {
  const timeoutMs = config.timeoutS * 1000;
  const initialNotifyWaitMs = Math.max(2000, timeoutMs);
  const { presentities, watchers, workers, localHost } = config;
  if (generator === 'sipp') return SippSession.open(endpoints, { runId, presentities, watchers, processes: workers, localHost, timeoutMs, initialNotifyWaitMs }, log);
  return LoadSession.open(
    endpoints,
    {
      runId,
      transport: config.transport,
      presentities,
      watchers,
      workers,
      perSocket: config.perSocket,
      register: config.register,
      digestPassword: users?.password,
      expires: config.expires,
      timeoutMs,
      t1Ms: 500,
      concurrency: config.concurrency,
      initialNotifyWaitMs,
      localHost,
      domain: config.domain,
      ...(config.watcherProfile === undefined ? {} : { profile: config.watcherProfile }),
      ...(config.statusEvery === 1 ? {} : { statusEvery: config.statusEvery }),
      ...(config.pidfSize === 'small' ? {} : { pidfSize: config.pidfSize }),
    },
    log,
  );
}

/** Time a forced collection gets before /metrics is read. */
const GC_WAIT_MS = 1000;

/** Memory of every process (after a forced GC where we can: our own presence processes) and of Redis. */
async function readTargetMemory(target: BenchTarget, collectGarbage: boolean): Promise<MemoryReading> {
  if (collectGarbage && signalServers(target)) await sleep(GC_WAIT_MS);
  const processes = await readProcessMemory(target.probes);
  if (target.redis === undefined) return { processes };
  try {
    return { processes, redis: await readRedisMemory(target.redis) };
  } catch (error) {
    process.stderr.write(`redis INFO memory: ${error instanceof Error ? error.message : String(error)}\n`);
    return { processes };
  }
}

/** `edge-3 412 µs/SUB, agent-1 ...`: each process's CPU per subscription made. */
function cpuPerSubscription(byProcess: CpuByProcess, subscribed: number): string {
  return Object.entries(byProcess)
    .map(([name, seconds]) => `${name} ${subscribed === 0 ? '-' : ((seconds * 1e6) / subscribed).toFixed(0)} µs/SUB`)
    .join(', ');
}
