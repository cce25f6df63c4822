/**
 * Stops what a run started (servers, clusters) when the bench is interrupted:
 * SIGINT/SIGTERM would otherwise leave presence processes, nats-server and
 * redis-server behind. Workers need nothing: they exit when the IPC channel closes.
 */
const tasks = new Set<() => Promise<void>>();

/** Registers a stop task; call the returned function once the thing is stopped normally. */
export function stopOnAbort(task: () => Promise<void>): () => void {
  tasks.add(task);
  return () => tasks.delete(task);
}

export async function runAbortTasks(): Promise<void> {
  const pending = [...tasks];
  tasks.clear();
  await Promise.allSettled(pending.map((task) => task()));
}
