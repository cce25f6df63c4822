/** What `npm run fuzz` fuzzes: the property files of one part of the code. */
export const FUZZ_TARGETS = {
  parser: { project: 'unit', roots: ['libs/sip/src', 'libs/core/src'], suffix: '.fuzz.test.ts', scale: 20 },
  pidf: { project: 'unit', roots: ['libs/pidf/src'], suffix: '.fuzz.test.ts', scale: 10 },
  policy: { project: 'unit', roots: ['libs/policy/src'], suffix: '.fuzz.test.ts', scale: 10 },
  sip: { project: 'e2e', roots: ['services'], suffix: '.fuzz.e2e.test.ts', scale: 4 },
} as const;

export type FuzzTargetName = keyof typeof FUZZ_TARGETS;

export interface FuzzOptions {
  readonly minutes: number;
  /** Replays one round with this seed; fresh random seeds otherwise. */
  readonly seed: number | undefined;
  readonly targets: readonly FuzzTargetName[];
  /** Times the test suites' case counts per round; each target's own when undefined. */
  readonly scale: number | undefined;
}

export const FUZZ_USAGE = `usage: npm run fuzz -- [--minutes N] [--seed S] [--target parser|pidf|policy|sip|all] [--scale K]
  --minutes N  keep starting rounds with fresh seeds for N minutes (default 1; 0: one round)
  --seed S     one round with seed S: replays a failure the fuzzer printed
  --target T   parser (SIP messages, headers, URIs), pidf, policy (pres-rules, watcherinfo), sip (a real server over UDP and TCP) or all (default)
  --scale K    cases per round, as a multiple of the test suites' counts (default: parser 20, pidf 10, policy 10, sip 4)`;

/** The options, or a message naming what is wrong with them. */
export function parseFuzzOptions(args: readonly string[]): FuzzOptions | string {
  let minutes = 1;
  let seed: number | undefined;
  let targets: FuzzTargetName[] = Object.keys(FUZZ_TARGETS) as FuzzTargetName[];
  let scale: number | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    const value = args[i + 1];
    if (value === undefined) return `${name} needs a value`;
    if (name === '--minutes') {
      minutes = Number(value);
      if (!Number.isFinite(minutes) || minutes < 0 || value.trim() === '') return `--minutes must be a number of minutes >= 0, not "${value}"`;
    } else if (name === '--seed') {
      seed = Number(value);
      if (!Number.isSafeInteger(seed) || value.trim() === '') return `--seed must be an integer, not "${value}"`;
    } else if (name === '--target') {
      if (value === 'all') targets = Object.keys(FUZZ_TARGETS) as FuzzTargetName[];
      else if (value in FUZZ_TARGETS) targets = [value as FuzzTargetName];
      else return `--target must be parser, pidf, policy, sip or all, not "${value}"`;
    } else if (name === '--scale') {
      scale = Number(value);
      if (!Number.isFinite(scale) || scale <= 0) return `--scale must be a number > 0, not "${value}"`;
    } else {
      return `unknown option ${name}`;
    }
  }
  return { minutes, seed, targets, scale };
}
