import type { VuState } from '../vu-state.js';

/**
 * `k6/execution`: scenario and VU facts of the iteration running now. As in
 * k6, reading them outside VU code throws. `instance` (runner-wide counts) is
 * not provided: reading it gives undefined, so a script using it fails loudly.
 */
export function k6ExecutionModule(state: VuState, options: () => unknown): Record<string, unknown> {
  const current = () => {
    if (state.phase !== 'vu' || state.iteration === undefined) throw new Error('getting scenario information outside of the VU context is not supported');
    return state.iteration;
  };
  const scenario = {
    get name() { return current().scenario.name; },
    get executor() { return current().scenario.executor; },
    get startTime() { return current().scenario.startTime; },
    get iterationInTest() { return current().scenario.iterationInTest; },
    get iterationInInstance() { return current().scenario.iterationInTest; },
    get progress() { throw new Error('exec.scenario.progress is not provided by this harness'); },
  };
  const vu = {
    get idInTest() { return state.vuId; },
    get idInInstance() { return state.vuId; },
    get iterationInInstance() { return current().iterationInInstance; },
    get iterationInScenario() { return current().iterationInScenario; },
  };
  const test = {
    abort(reason?: string): never {
      const message = reason ?? 'test aborted';
      state.abort(message);
      throw new Error(`test aborted: ${message}`);
    },
    get options() { return options(); },
  };
  const exports = { scenario, vu, test };
  return { ...exports, default: exports };
}
