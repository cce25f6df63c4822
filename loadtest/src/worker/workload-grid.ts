/**
 * Names and placement of the workload grid (see WorkerConfig). Pure, so the
 * parent, the workers and the tests agree on who is who without sharing state.
 * Call-IDs embed the index, so a NOTIFY finds its subscription by arithmetic
 * instead of a per-subscription map entry (1M subscriptions stay cheap).
 */
export interface GridShape {
  readonly runId: string;
  readonly presentities: number;
  readonly watchers: number;
  readonly workers: number;
  readonly endpoints: number;
}

/** A run's prefix: the start time, so each run (and each target of --compare) has fresh AORs. */
export const newRunId = (): string => `lt${Date.now().toString(36)}`;

export const presentityUser = (runId: string, p: number): string => `${runId}p${p}`;
export const watcherUser = (runId: string, s: number): string => `${runId}w${s}`;

/** Subscription s watches presentity s mod P: consecutive subscriptions spread over presentities. */
export const presentityOf = (shape: GridShape, s: number): number => s % shape.presentities;

/** Watcher j of a presentity uses endpoint j mod E, so each presentity has watchers on every edge. */
export const watcherEndpoint = (shape: GridShape, s: number): number => Math.floor(s / shape.presentities) % shape.endpoints;

export const publisherEndpoint = (shape: GridShape, p: number): number => p % shape.endpoints;

/** The indices in [0, total) owned by worker k of K: k, k+K, k+2K, … */
export function ownedIndices(total: number, workerIndex: number, workers: number): number[] {
  const owned: number[] = [];
  for (let i = workerIndex; i < total; i += workers) owned.push(i);
  return owned;
}

/** Inverse of the Call-ID scheme `${prefix}${index}`: the index, or undefined for a foreign Call-ID. */
export function indexFromCallId(callId: string, prefix: string): number | undefined {
  if (!callId.startsWith(prefix)) return undefined;
  const rest = callId.slice(prefix.length);
  if (rest.length === 0 || rest.length > 9 || !/^\d+$/.test(rest)) return undefined;
  return Number(rest);
}
