import type { VuState } from '../vu-state.js';

/** The `k6` module: check, sleep, group, fail. */
export function k6CoreModule(state: VuState): Record<string, unknown> {
  /** One `checks` sample per condition, tagged with its name (and group), as k6 does; true if all passed. */
  function check(value: unknown, sets: Record<string, unknown>, tags?: Record<string, string>): boolean {
    let all = true;
    for (const [name, condition] of Object.entries(sets)) {
      const passed = Boolean(typeof condition === 'function' ? (condition as (v: unknown) => unknown)(value) : condition);
      state.emit('checks', passed ? 1 : 0, { ...tags, check: name, group: groupTag(state) });
      all &&= passed;
    }
    return all;
  }

  /** Blocks this VU (its worker thread) like k6's sleep: no event of this VU runs meanwhile. */
  function sleep(seconds: number): void {
    if (!(seconds > 0)) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  }

  function group<T>(name: string, fn: () => T): T {
    if (name.includes('::')) throw new Error(`group name "${name}" must not contain "::"`);
    state.groups.push(name);
    try {
      return fn();
    } finally {
      state.groups.pop();
    }
  }

  function fail(message?: string): never {
    throw new Error(message ?? '');
  }

  const exports = { check, sleep, group, fail };
  return { ...exports, default: exports };
}

/** k6's group tag: `::outer::inner`, '' at the root. */
function groupTag(state: VuState): string {
  return state.groups.map((g) => `::${g}`).join('');
}
