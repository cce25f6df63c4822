import { appendFileSync } from 'node:fs';
import * as fc from 'fast-check';

/**
 * How a property runs. In the test suites (CI): its fixed seed and case
 * count, so a failure replays and the run is short. Under `npm run fuzz`
 * (fuzz-main.ts), the environment sets a fresh round seed (FUZZ_SEED, added
 * to the fixed one so properties of one round differ) and a multiplier of
 * the count (FUZZ_SCALE), and each verdict is appended to FUZZ_REPORT.
 */
export interface FuzzRun {
  readonly seed: number;
  readonly numRuns: number;
}

/** One line of FUZZ_REPORT (JSON): what fuzz-main.ts prints. */
export interface FuzzVerdict {
  readonly property: string;
  readonly seed: number;
  readonly cases: number;
  readonly failed: boolean;
  /** fast-check's report: the shrunk counterexample, the seed and path to replay it. */
  readonly report?: string;
}

export function fuzzRun(fixedSeed: number, numRuns: number, env: NodeJS.ProcessEnv = process.env): FuzzRun {
  const roundSeed = env['FUZZ_SEED'];
  const scale = Number(env['FUZZ_SCALE'] ?? '1');
  return {
    seed: roundSeed === undefined ? fixedSeed : (Number(roundSeed) + fixedSeed) | 0,
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
  };
}

/** fc.assert with fuzzRun's parameters; the verdict goes to FUZZ_REPORT when set. */
export function fuzzAssert<T>(name: string, property: fc.IProperty<T>, fixedSeed: number, numRuns: number): void {
  const run = fuzzRun(fixedSeed, numRuns);
  conclude(name, run, fc.check(property, run));
}

/** fuzzAssert for an asynchronous property (one that talks to a socket). */
export async function fuzzAssertAsync<T>(name: string, property: fc.IAsyncProperty<T>, fixedSeed: number, numRuns: number): Promise<void> {
  const run = fuzzRun(fixedSeed, numRuns);
  conclude(name, run, await fc.check(property, run));
}

/** A figure for `npm run fuzz` to print with the round (e.g. the server's memory after it); nothing in the test suites. */
export function fuzzNote(note: string): void {
  const reportFile = process.env['FUZZ_REPORT'];
  if (reportFile !== undefined) appendFileSync(reportFile, `${JSON.stringify({ note })}\n`);
}

function conclude<T>(name: string, run: FuzzRun, details: fc.RunDetails<T>): void {
  // fast-check 4 keeps the error out of its report (it becomes the `cause`): the assertion that failed is what says why.
  const report = details.failed ? `${fc.defaultReportMessage(details)}\nGot error: ${errorText(details.errorInstance)}` : undefined;
  const reportFile = process.env['FUZZ_REPORT'];
  if (reportFile !== undefined) {
    const verdict: FuzzVerdict = { property: name, seed: run.seed, cases: details.numRuns, failed: details.failed, ...(report ? { report } : {}) };
    appendFileSync(reportFile, `${JSON.stringify(verdict)}\n`);
  }
  if (report !== undefined) throw new Error(`${name}: ${report}`);
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 4000);
}
