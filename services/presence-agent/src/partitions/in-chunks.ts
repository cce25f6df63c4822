/** Store calls in flight at once when an agent walks many partitions (a tick, a census). */
export const STORE_CONCURRENCY = 64;

/** `work` over every item, at most STORE_CONCURRENCY at once; results in the items' order. */
export async function mapInChunks<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += STORE_CONCURRENCY) results.push(...(await Promise.all(items.slice(i, i + STORE_CONCURRENCY).map(work))));
  return results;
}

/** `work` over the items STORE_CONCURRENCY at a time, one chunk after another (a store call that takes a whole chunk). */
export async function forChunks<T>(items: readonly T[], work: (chunk: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += STORE_CONCURRENCY) await work(items.slice(i, i + STORE_CONCURRENCY));
}
