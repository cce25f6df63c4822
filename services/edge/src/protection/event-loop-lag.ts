/**
 * Measures event-loop lag as timer drift: a timer asked for every
 * `intervalMs` fires late by however long the loop was busy, and that
 * lateness is reported. Unref'd, so it never keeps a process alive. Returns
 * the stop, which cancels the pending timer.
 */
export function sampleEventLoopLag(intervalMs: number, report: (lagMs: number) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let expected = 0;
  let stopped = false;
  const arm = (): void => {
    expected = performance.now() + intervalMs;
    timer = setTimeout(fire, intervalMs);
    timer.unref();
  };
  const fire = (): void => {
    report(Math.max(0, performance.now() - expected));
    if (!stopped) arm();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
    timer = undefined;
  };
}
