import { statFields } from './probes/process-tree.js';

/**
 * What the cost commands (commit-cost, bus-cost, notify-cost) share: reading a helper
 * server's CPU and their whole-number options.
 */

/** utime + stime of a process, in 1/100 s clock ticks; `what` names it when /proc cannot be read. */
export async function cpuTicks(pid: number | undefined, what: string): Promise<number> {
  const fields = pid === undefined ? undefined : await statFields(pid);
  if (fields === undefined) throw new Error(`${what} CPU unreadable: /proc/<pid>/stat missing`);
  return Number(fields[11]) + Number(fields[12]);
}

export function wholeNumber(option: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0 || value > max) throw new Error(`${option}: "${text}" is not a whole number in [1, ${max}]`);
  return value;
}

/** Runs a cost command's main: an error is printed with the usage line and the exit code is 1. */
export function runCostTool(main: () => Promise<void>, usage: string): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exitCode = 1;
  });
}
