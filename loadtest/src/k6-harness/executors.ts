import type { IterationOutcome, VuHandle } from './vu-handle.js';
import type { Scenario } from './scenarios.js';

export interface ExecutionHooks {
  readonly data: string | undefined;
  /** Set when the test was aborted: no new iteration starts. */
  aborted(): boolean;
  onIteration(vu: VuHandle, outcome: IterationOutcome): void;
}

/**
 * Runs one scenario on its VUs as k6's executor of that name does: iterations
 * start until the count or the duration is reached; iterations still running
 * then get gracefulStop to finish, after which they are interrupted.
 */
export async function runScenario(scenario: Scenario, vus: readonly VuHandle[], hooks: ExecutionHooks): Promise<void> {
  const startTime = Date.now();
  let stopped = false;
  let iterationInTest = 0;
  let sharedLeft = scenario.iterations;
  const stopTimer = setTimeout(() => {
    stopped = true;
    interruptTimer = setTimeout(() => vus.forEach((vu) => vu.interrupt()), scenario.gracefulStopMs);
  }, scenario.durationMs);
  let interruptTimer: NodeJS.Timeout | undefined;

  const mayStart = (done: number): boolean => {
    if (stopped || hooks.aborted()) return false;
    switch (scenario.executor) {
      case 'per-vu-iterations':
        return done < scenario.iterations;
      case 'shared-iterations':
        return sharedLeft-- > 0;
      case 'constant-vus':
        return true;
    }
  };

  await Promise.all(
    vus.map(async (vu) => {
      for (let done = 0; mayStart(done); done++) {
        const outcome = await vu.iterate(scenario.exec, hooks.data, {
          scenario: { name: scenario.name, executor: scenario.executor, startTime, iterationInTest: iterationInTest++ },
          iterationInScenario: done,
        });
        hooks.onIteration(vu, outcome);
      }
    }),
  );
  clearTimeout(stopTimer);
  clearTimeout(interruptTimer);
}
