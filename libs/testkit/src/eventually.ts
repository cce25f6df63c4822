import { sleep } from '@presence/dev-tools';

export interface EventuallyOptions {
  /** Give up after this long; default 5000 ms. */
  timeoutMs?: number;
  /** Pause between attempts; default 20 ms. */
  intervalMs?: number;
}

/**
 * Retries `assertion` until it passes; at the deadline throws the last error.
 * An attempt that does not settle by the deadline also fails: never waits forever.
 */
export async function eventually(
  assertion: () => void | Promise<void>,
  { timeoutMs = 5000, intervalMs = 20 }: EventuallyOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      await withDeadline(assertion, deadline);
      return;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lastError;
    await sleep(Math.min(intervalMs, remaining));
  }
}

async function withDeadline(assertion: () => void | Promise<void>, deadline: number): Promise<void> {
  const result = assertion();
  if (result === undefined || typeof (result as Promise<void>).then !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('eventually: assertion did not settle before the deadline')),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    await Promise.race([result, expired]);
  } finally {
    clearTimeout(timer);
  }
}
