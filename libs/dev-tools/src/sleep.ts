/** Resolves after `ms` milliseconds. The one sleep of the repository: testkit re-exports it. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
