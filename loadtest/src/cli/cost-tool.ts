/** What the *-cost-main tools share: their whole-number options and how they end. */

export function wholeNumber(option: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0 || value > max) throw new Error(`${option}: "${text}" is not a whole number in [1, ${max}]`);
  return value;
}

/** Runs a tool's main: an error is printed with the usage line and the exit code is 1. */
export function runCostTool(main: () => Promise<void>, usage: string): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exitCode = 1;
  });
}
