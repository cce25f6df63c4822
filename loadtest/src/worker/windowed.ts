/**
 * Runs task(0..count-1) with at most `window` running at once (a closed
 * loop: the next starts when one finishes), so a subscribe phase pushes the
 * server as hard as it answers without flooding it.
 */
export function runWindowed(count: number, window: number, task: (index: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let failed = false;
    const pump = (): void => {
      while (!failed && running < window && next < count) {
        const index = next++;
        running++;
        task(index).then(
          () => {
            running--;
            if (next >= count && running === 0) resolve();
            else pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    if (count === 0) resolve();
    else pump();
  });
}
